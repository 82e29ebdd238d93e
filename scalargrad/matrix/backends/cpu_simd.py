"""SIMD vectors in numba: a value holding W numbers that one vector register holds, and the
handful of operations a matmul micro-kernel needs on it.

numba's loop vectorizer decides by itself which loops become vector code. For the matmul
micro-kernel it decides wrongly (see cpu_matmul.py), so there we say it explicitly: a ``Vec`` is
an LLVM vector ``<W x float>``, and each operation below is one LLVM instruction on it,
written with ``numba.extending.intrinsic`` (a function whose body is LLVM IR that we emit):

* ``vload(x, i)``        the W numbers x[i], ..., x[i+W-1] of a contiguous 1-D array;
* ``vstore(x, i, v)``    writes them back;
* ``vsplat(x, i)``       x[i] copied into all W lanes (a "broadcast");
* ``vfma(a, b, c)``      a * b + c lane by lane: one fused multiply-add instruction for
                         floats where the CPU has FMA, a multiply and an add otherwise;
* ``vadd(a, b)``         a + b lane by lane;
* ``vzero(x)``           W zeros of x's dtype.

W is the number of elements in ``VECTOR_BYTES`` bytes (``lanes``), one register of the vector
unit numba compiles for (``vector_unit``): 16 float32 (8 float64) for AVX-512's zmm registers,
8 (4) for AVX2's ymm, 4 (2) for NEON and SSE. This is plain LLVM IR, legal on every target
(LLVM would split a vector wider than the machine's registers into several). The loads and
stores do no bounds check and no negative-index wrap-around: the caller guarantees 0 <= i and
i + W <= x.size.
"""

import platform
from collections import namedtuple

from llvmlite import ir
from numba import types
from numba.core import config
from numba.extending import intrinsic, models, register_model

VectorUnit = namedtuple("VectorUnit", "cpu isa lanes32 registers")

# LLVM CPU names whose default features include AVX-512 / AVX2 (used only when NUMBA_CPU_NAME
# names a CPU and NUMBA_CPU_FEATURES="" asks for that CPU's own features)
_AVX512_CPUS = (
    "skylake-avx512 cascadelake cooperlake cannonlake icelake-client icelake-server tigerlake "
    "rocketlake sapphirerapids emeraldrapids graniterapids graniterapids-d diamondrapids "
    "znver4 znver5 x86-64-v4 knl knm"
).split()
_AVX2_CPUS = (
    "haswell broadwell skylake alderlake raptorlake meteorlake arrowlake lunarlake gracemont "
    "znver1 znver2 znver3 x86-64-v3 core-avx2 bdver4"
).split()


def vector_unit(target=True):
    """The vector unit numba compiles for (``target``) or the host CPU has: name, ISA, float32
    lanes per vector register and number of vector registers.

    numba targets the host CPU unless NUMBA_CPU_NAME / NUMBA_CPU_FEATURES say otherwise (numba
    keeps the host's features when only the name is set; ``NUMBA_CPU_NAME=haswell
    NUMBA_CPU_FEATURES=`` compiles for a real AVX2 CPU on any x86 machine)."""
    import llvmlite.binding as ll

    name = ll.get_host_cpu_name()
    features = ll.get_host_cpu_features().flatten()
    if target and config.CPU_NAME and config.CPU_NAME != "host":
        name = config.CPU_NAME
    if target and config.CPU_FEATURES is not None:
        features = config.CPU_FEATURES
    flags = {f[1:] for f in features.split(",") if f.startswith("+")}
    if not features:  # the named CPU's own features
        flags = {"avx512f"} if name in _AVX512_CPUS else {"avx2"} if name in _AVX2_CPUS else set()
    machine = platform.machine().lower()
    if "avx512f" in flags:
        return VectorUnit(name, "AVX-512", 16, 32)
    if "avx2" in flags or "avx" in flags:
        return VectorUnit(name, "AVX2" if "avx2" in flags else "AVX", 8, 16)
    if machine in ("arm64", "aarch64") or "neon" in flags:
        return VectorUnit(name, "NEON", 4, 32)
    return VectorUnit(name, "SSE" if machine in ("x86_64", "amd64") else machine, 4, 16)


UNIT = vector_unit()
VECTOR_BYTES = 4 * UNIT.lanes32  # one register: 64 bytes AVX-512, 32 AVX2, 16 NEON and SSE


def lanes(dtype):
    """Elements of ``dtype`` (a numba or NumPy dtype) in one vector."""
    itemsize = dtype.bitwidth // 8 if isinstance(dtype, types.Number) else dtype.itemsize
    return max(VECTOR_BYTES // itemsize, 1)


class Vec(types.Type):
    """The numba type of a vector of ``lanes(dtype)`` numbers of ``dtype``."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.lanes = lanes(dtype)
        super().__init__(name=f"Vec({dtype} x {self.lanes})")


@register_model(Vec)
class VecModel(models.PrimitiveModel):
    """A Vec lives in one LLVM vector value (a register), not in memory."""

    def __init__(self, dmm, fe_type):
        element = dmm.lookup(fe_type.dtype).get_value_type()
        super().__init__(dmm, fe_type, ir.VectorType(element, fe_type.lanes))


def _contiguous_1d(x):
    return isinstance(x, types.Array) and x.ndim == 1 and x.layout == "C"


def _element_pointer(context, builder, array_type, array, index):
    data = context.make_array(array_type)(context, builder, array).data
    return builder.gep(data, [index])


@intrinsic
def vload(typingctx, x, i):
    """The W elements x[i : i + W] of a contiguous 1-D array, as one Vec."""
    if not (_contiguous_1d(x) and isinstance(i, types.Integer)):
        return None
    vec = Vec(x.dtype)

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, x, args[0], args[1])
        vector_type = context.get_value_type(vec)
        # align = one element: the packed panels are not aligned to a whole vector
        return builder.load(builder.bitcast(pointer, vector_type.as_pointer()), align=1)

    return vec(x, i), codegen


@intrinsic
def vstore(typingctx, x, i, v):
    """x[i : i + W] = v."""
    if not (_contiguous_1d(x) and isinstance(i, types.Integer) and v == Vec(x.dtype)):
        return None

    def codegen(context, builder, signature, args):
        pointer = _element_pointer(context, builder, x, args[0], args[1])
        vector_type = context.get_value_type(v)
        builder.store(args[2], builder.bitcast(pointer, vector_type.as_pointer()), align=1)
        return context.get_dummy_value()

    return types.none(x, i, v), codegen


@intrinsic
def vsplat(typingctx, x, i):
    """A Vec with x[i] in every lane (x: a contiguous 1-D array)."""
    if not (_contiguous_1d(x) and isinstance(i, types.Integer)):
        return None
    vec = Vec(x.dtype)

    def codegen(context, builder, signature, args):
        value = builder.load(_element_pointer(context, builder, x, args[0], args[1]))
        vector_type = context.get_value_type(vec)
        one = builder.insert_element(
            ir.Constant(vector_type, ir.Undefined), value, ir.IntType(32)(0)
        )
        zeros = ir.Constant(ir.VectorType(ir.IntType(32), vec.lanes), None)  # lane 0 everywhere
        return builder.shuffle_vector(one, ir.Constant(vector_type, ir.Undefined), zeros)

    return vec(x, i), codegen


@intrinsic
def vwidth(typingctx, x):
    """W, the lanes of a Vec of x's dtype (x: an array), as a compile-time constant."""
    if not isinstance(x, types.Array):
        return None

    def codegen(context, builder, signature, args):
        return context.get_constant(types.intp, lanes(x.dtype))

    return types.intp(x), codegen


@intrinsic
def vzero(typingctx, x):
    """W zeros of the dtype of array ``x``."""
    if not isinstance(x, types.Array):
        return None
    vec = Vec(x.dtype)

    def codegen(context, builder, signature, args):
        return ir.Constant(context.get_value_type(vec), None)

    return vec(x), codegen


@intrinsic
def vfma(typingctx, a, b, c):
    """a * b + c in each lane: one fused multiply-add (rounded once) for floats."""
    if not (isinstance(a, Vec) and a == b == c):
        return None

    def codegen(context, builder, signature, args):
        if isinstance(a.dtype, types.Float):
            # "contract" lets LLVM fuse the pair into one FMA instruction where the CPU has one
            # (AVX2, AVX-512, NEON), and keep a multiply and an add where it has none
            product = builder.fmul(args[0], args[1], flags=("contract",))
            return builder.fadd(product, args[2], flags=("contract",))
        return builder.add(builder.mul(args[0], args[1]), args[2])  # integers: wraps, as NumPy

    return a(a, b, c), codegen


@intrinsic
def vadd(typingctx, a, b):
    """a + b in each lane."""
    if not (isinstance(a, Vec) and a == b):
        return None

    def codegen(context, builder, signature, args):
        add = builder.fadd if isinstance(a.dtype, types.Float) else builder.add
        return add(*args)

    return a(a, b), codegen


__all__ = ["Vec", "lanes", "vload", "vstore", "vsplat", "vzero", "vfma", "vadd", "vwidth"]
