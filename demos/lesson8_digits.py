"""Lesson 8: handwritten digits with a multi-layer perceptron
==========================================================

scikit-learn's 1797 8x8 digits, split into training and test images, each image a row of 64
pixels standardized with the training set's mean and std. An MLP(64, [256, 10]) with a ReLU
hidden layer gives 10 logits;
CrossEntropyLoss, Adam, mini-batches from a DataLoader. Plots: loss and accuracy per epoch,
the confusion matrix, the misclassified test images. The target is at least 97% test accuracy.
A few test images also go through PNG files and ``ImageFolderDataset`` and back.

Run it as a script::

    python demos/lesson8_digits.py [--out DIR] [--budget small|full] [--device cpu|cuda]
"""

import numpy as np
from _common import accuracy, parse_args, progress, save, section, summary


def check_device(device):
    """Stop with a clear message when CUDA is asked for but there is no GPU."""
    if device != "cuda":
        return
    try:
        from numba import cuda

        ok = cuda.is_available()
    except Exception:  # numba-cuda missing or its driver libraries not loadable
        ok = False
    if not ok:
        raise SystemExit("--device cuda: no CUDA GPU is available on this machine "
                         "(run with --device cpu, the default)")


def predict(model, X, device):
    import scalargrad as sg

    with sg.no_grad():
        logits = model(sg.from_numpy(X).to(device))
        return logits.to("cpu").numpy().argmax(axis=1)


def train(model, X_train, y_train, X_test, y_test, epochs, device, seed):
    import scalargrad as sg

    loader = sg.data.DataLoader(sg.data.TensorDataset(sg.from_numpy(X_train),
                                                      sg.from_numpy(y_train)),
                                batch_size=32, shuffle=True, seed=seed)
    optimizer = sg.optim.Adam(model.parameters(), lr=1e-3)
    criterion = sg.nn.CrossEntropyLoss()
    history = {"train loss": [], "train accuracy": [], "test accuracy": []}
    print(f"{len(X_train)} training images, batch size 32: {len(loader)} steps per epoch")
    bar = progress(range(epochs), desc=f"epochs ({device})")
    for epoch in bar:
        total = 0.0
        for xb, yb in loader:
            loss = criterion(model(xb.to(device)), yb.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        history["train loss"].append(total / len(X_train))
        history["train accuracy"].append(accuracy(predict(model, X_train, device), y_train))
        history["test accuracy"].append(accuracy(predict(model, X_test, device), y_test))
        bar.set_postfix(loss=f"{history['train loss'][-1]:.3f}",
                        test=f"{history['test accuracy'][-1]:.1%}")
        if epoch % 5 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:3d}: loss {history['train loss'][-1]:.4f}, train accuracy "
                  f"{history['train accuracy'][-1]:.2%}, test accuracy "
                  f"{history['test accuracy'][-1]:.2%}")
    return history


def through_files(model, X_test, y_test, scale, out, device, n=32):
    """Write n test images as PNGs with a labels CSV; read them back through a Dataset with a
    pipeline of transforms and a DataLoader, and classify them."""
    import scalargrad as sg
    from scalargrad.data.image_folder import ImageFolderDataset, save_image_folder
    from scalargrad.data.transforms import Compose, Flatten, Lambda

    section(f"{n} test images through PNG files, ImageFolderDataset and a DataLoader")
    folder = out / "test_images"
    save_image_folder(folder, X_test[:n].reshape(n, 8, 8), y_test[:n], vmax=1.0)
    pipeline = Compose([Flatten(), Lambda(scale)])  # 8 x 8 in [0, 1] -> 64 standardized values
    ds = ImageFolderDataset(folder, "labels.csv", transform=pipeline)
    print(f"{ds}\ntransform: {pipeline}")
    predictions, labels = [], []
    for images, targets in sg.data.DataLoader(ds, batch_size=16):
        with sg.no_grad():
            logits = model(images.to(device))
        predictions.append(logits.to("cpu").numpy().argmax(axis=1))
        labels.append(targets.numpy())
    predictions, labels = np.concatenate(predictions), np.concatenate(labels)
    same = accuracy(predictions, predict(model, scale(X_test[:n]), device))
    acc = accuracy(predictions, labels)
    print(f"accuracy on the images read from files: {acc:.0%}; the same predictions as on the "
          f"arrays for {same:.0%} of them (PNG stores 8-bit pixels)")
    return acc


def main(argv=None):
    import scalargrad as sg
    from scalargrad.data import toy_datasets, train_test_split
    from scalargrad.viz.plots import (
        confusion_matrix,
        plot_confusion_matrix,
        plot_curves,
        plot_image_grid,
    )

    def extra(parser):
        parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
        parser.add_argument("--epochs", type=int, default=None, help="override the budget")

    args = parse_args("lesson8_digits", __doc__, argv, extra)
    check_device(args.device)
    epochs = args.epochs or (15 if args.budget == "small" else 30)
    if epochs < 1:
        raise SystemExit(f"--epochs must be >= 1, got {epochs}")

    X, y = toy_datasets.load_digits()
    X = X / 16.0  # pixels in [0, 1], as an image file holds them
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        seed=args.seed, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0  # pixels that are always blank stay 0

    def scale(images):
        return ((images - mean) / std).astype(np.float32)

    section(f"an MLP on 8x8 digits ({args.device})")
    sg.manual_seed(args.seed)
    model = sg.nn.MLP(64, [256, 10])
    print(model)
    if args.device != "cpu":
        model.to(args.device)
    history = train(model, scale(X_train), y_train, scale(X_test), y_test, epochs, args.device,
                    args.seed)

    pred = predict(model, scale(X_test), args.device)
    test_acc = accuracy(pred, y_test)
    print(f"test accuracy {test_acc:.2%} (target: at least 97%)")
    save(plot_curves({"training loss": history["train loss"]}, logy=True,
                     title="cross-entropy per epoch"), args.out, "loss.png")
    save(plot_curves({k: history[k] for k in ("train accuracy", "test accuracy")},
                     ylabel="accuracy", title="accuracy per epoch"), args.out, "accuracy.png")
    cm = confusion_matrix(y_test, pred, n_classes=10)
    save(plot_confusion_matrix(cm, title=f"test images, accuracy {test_acc:.1%}"), args.out,
         "confusion_matrix.png")
    wrong = np.flatnonzero(pred != y_test)[:24]
    save(plot_image_grid(X_test[wrong], titles=[f"{y_test[i]} as {pred[i]}" for i in wrong],
                         suptitle=f"{np.sum(pred != y_test)} misclassified test images "
                                  "(true as predicted)"), args.out, "misclassified.png")
    files_acc = through_files(model, X_test, y_test, scale, args.out, args.device)
    return summary("lesson 8, handwritten digits", {
        "device": args.device, "epochs": epochs, "train accuracy": history["train accuracy"][-1],
        "test accuracy": test_acc, "misclassified": int(np.sum(pred != y_test)),
        "accuracy on PNG files": files_acc})


# %%
# Run the lesson
# --------------
# ``main()`` runs the parts above in order and prints a summary; from a shell it reads ``--out``
# and ``--budget``. The docs ran it with ``--budget small``: what it printed and the figures it
# drew follow (in a notebook, ``SCALARGRAD_BUDGET=small`` chooses the small budget).

if __name__ == "__main__":
    main()
