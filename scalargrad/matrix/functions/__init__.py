"""The differentiable ops of the matrix engine, one concept per module.

Each module builds on ``TensorBase`` (``tensor_core.py``) and ``Function``
(``autograd_function.py``) only, never on the ``Tensor`` class above it. It holds ``Function``
subclasses (forward and backward side by side, each naming its docs page in ``derivation``) and
the small functions the ``Tensor`` methods call, which make the user-facing checks (shapes,
dtypes, dims) before anything is computed:

* ``elementwise``: + - * / ** neg abs sqrt exp log tanh sigmoid relu softplus sin cos maximum
  minimum, with broadcasting and type promotion;
* ``comparison``: == != < <= > >= and ~ & | on masks (bool results, no gradient);
* ``selection``: where and clamp;
* ``reductions``: sum mean var prod max min argmax argmin cumsum norm;
* ``softmax``: softmax log_softmax logsumexp;
* ``sorting``: sort argsort msort topk (differentiable values) and unique;
* ``shape``: reshape/view squeeze unsqueeze flatten permute/transpose expand contiguous, dtype
  and device conversion;
* ``indexing``: basic indexing (views) and advanced indexing (gather / scatter-add);
* ``joining``: cat and stack;
* ``inplace``: the in-place ops (``x += y``, ``x.add_(y)``, ``x[i] = v``, ``copy_``, ``fill_``)
  and their ``IndexPut`` Function, which bump the version counter autograd checks;
* ``composite``: ops written with the ones above (masked_fill, repeat, gather, scatter_, chunk,
  split, rounding);
* ``linalg``: matmul (1-D, 2-D, batched) and its special cases dot, mv, mm;
* ``fused``: the fused layers and losses ``sg.nn`` uses.
"""
