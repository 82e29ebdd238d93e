"""The differentiable ops of the matrix engine, one concept per module.

Each module holds ``Function`` subclasses (forward and backward side by side, each naming its docs
page in ``derivation``) and the small functions the ``Tensor`` methods call, which make the
user-facing checks (shapes, dtypes, dims) before anything is computed:

* ``elementwise``: + - * / ** neg abs sqrt exp log tanh sigmoid relu softplus sin cos maximum
  minimum, with broadcasting and type promotion;
* ``comparison``: == != < <= > >= and ~ & | on masks (bool results, no gradient);
* ``selection``: where and clamp;
* ``reductions``: sum mean var prod max min argmax argmin cumsum norm;
* ``softmax``: softmax log_softmax logsumexp;
* ``shape``: reshape/view squeeze unsqueeze flatten permute/transpose expand contiguous, dtype
  and device conversion;
* ``indexing``: basic indexing (views) and advanced indexing (gather / scatter-add);
* ``joining``: cat and stack;
* ``linalg``: matmul (1-D, 2-D, batched) and its special cases dot, mv, mm;
* ``fused``: the fused layers and losses ``sg.nn`` uses.
"""
