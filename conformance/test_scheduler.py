"""Conformance of the parameter schedulers (docs L4225-4450; SCH-01..16).

Expected curves are computed independently: closed forms (:mod:`math`) or
PyTorch's own ``torch.optim.lr_scheduler`` classes where they are equivalent.
A run of a training loop is simulated by :func:`simulate`, which steps
iteration-based schedulers after every iteration and epoch-based ones after
every epoch, in list order (what ``ParamSchedulerHook`` does, L4263).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from torch.optim import lr_scheduler as torch_sched

from conformance.harness.impl import Impl

FAMILIES = [
    "Constant", "CosineAnnealing", "Exponential", "Linear", "MultiStep",
    "Step", "Poly",
]  # fmt: skip

Closed = Callable[[int], float]


#: Stepping a scheduler without ``optimizer.step()`` warns; these tests do.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def sched(impl: Impl) -> Any:
    """The ``optim.scheduler`` package of the implementation."""
    return impl.mod("optim.scheduler")


def sgd(lr: float = 0.01, momentum: float = 0.9, **kw: Any) -> torch.optim.SGD:
    """A one-parameter SGD optimizer."""
    param = torch.zeros(1, requires_grad=True)
    return torch.optim.SGD([param], lr=lr, momentum=momentum, **kw)


def curve(opt: Any, schedulers: Sequence[Any], steps: int, key: str = "lr") -> list:
    """``key`` of group 0 before each step, stepping every scheduler."""
    values = []
    for _ in range(steps):
        values.append(opt.param_groups[0][key])
        for s in schedulers:
            s.step()
    return values


def simulate(opt: Any, schedulers: Sequence[Any], epochs: int, length: int) -> list:
    """LR used by every iteration of an epoch-based run (global order)."""
    values = []
    for _ in range(epochs):
        for _ in range(length):
            values.append(opt.param_groups[0]["lr"])
            for s in schedulers:
                if not s.by_epoch:
                    s.step()
        for s in schedulers:
            if s.by_epoch:
                s.step()
    return values


def assert_curve(got: Sequence[float], expected: Sequence[float]) -> None:
    """Element-wise approximate equality, naming the first differing step."""
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected)):
        assert g == pytest.approx(e, rel=1e-9, abs=1e-15), f"step {i}: {g} != {e}"


def multistep(base: float, milestones: Sequence[int], gamma: float) -> Closed:
    """Closed form of a multi-step decay."""
    return lambda t: base * gamma ** sum(1 for m in milestones if m <= t)


def cosine(base: float, t_max: int, eta_min: float = 0.0) -> Closed:
    """Closed form of cosine annealing."""
    return lambda t: (
        eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2
    )


def linear(start: float, stop: float, total: int) -> Closed:
    """Closed form of the linear factor reaching ``stop`` at ``total``."""
    return lambda t: start + (stop - start) * min(t, total) / total


@pytest.mark.spec("SCH-01")
def test_exponential_matches_torch(sched: Any) -> None:
    ref_opt = sgd(0.1)
    ref = torch_sched.ExponentialLR(ref_opt, gamma=0.9)
    opt = sgd(0.1)
    got = curve(opt, [sched.ExponentialLR(opt, gamma=0.9)], 10)
    assert_curve(got, curve(ref_opt, [ref], 10))
    assert_curve(got, [0.1 * 0.9**e for e in range(10)])


@pytest.mark.spec("SCH-02")
@pytest.mark.parametrize("family", FAMILIES)
def test_three_variants_registered(impl: Impl, sched: Any, family: str) -> None:
    registry = impl.mod("registry").PARAM_SCHEDULERS
    for name in (f"{family}LR", f"{family}Momentum", f"{family}ParamScheduler"):
        assert registry.get(name) is getattr(sched, name)
        assert issubclass(getattr(sched, name), sched._ParamScheduler)
    generic = inspect.signature(getattr(sched, f"{family}ParamScheduler"))
    assert "param_name" in generic.parameters


@pytest.mark.spec("SCH-03", "SCH-04")
def test_multistep_on_optimizer_wrapper(impl: Impl, sched: Any) -> None:
    opt = sgd(0.01)
    wrapper = impl.mod("optim").OptimWrapper(optimizer=opt)
    scheduler = sched.MultiStepLR(wrapper, milestones=[8, 11], gamma=0.1)
    got = curve(opt, [scheduler], 14)
    assert_curve(got, [multistep(0.01, [8, 11], 0.1)(e) for e in range(14)])


@pytest.mark.spec("SCH-04")
def test_multistep_by_epoch_from_registry(impl: Impl, sched: Any) -> None:
    opt = sgd(0.01)
    cfg = dict(type="MultiStepLR", by_epoch=True, milestones=[8, 11], gamma=0.1)
    scheduler = impl.mod("registry").PARAM_SCHEDULERS.build(
        cfg, default_args=dict(optimizer=opt)
    )
    assert scheduler.by_epoch
    got = simulate(opt, [scheduler], epochs=14, length=3)
    expected = [multistep(0.01, [8, 11], 0.1)(i // 3) for i in range(42)]
    assert_curve(got, expected)


@pytest.mark.spec("SCH-05")
def test_multistep_by_iter(sched: Any) -> None:
    opt = sgd(0.01)
    s = sched.MultiStepLR(opt, by_epoch=False, milestones=[600, 800], gamma=0.1)
    got = curve(opt, [s], 1000)
    assert_curve(got, [multistep(0.01, [600, 800], 0.1)(i) for i in range(1000)])


@pytest.mark.spec("SCH-06")
def test_build_iter_from_epoch(sched: Any) -> None:
    opt, length = sgd(0.01), 7
    s = sched.MultiStepLR.build_iter_from_epoch(
        opt, milestones=[8, 11], gamma=0.1, epoch_length=length
    )
    assert s.by_epoch is False
    assert sorted(s.milestones) == [8 * length, 11 * length]
    got = simulate(opt, [s], epochs=13, length=length)
    assert_curve(got, [multistep(0.01, [8, 11], 0.1)(i // length) for i in range(91)])


@pytest.mark.spec("SCH-06")
def test_build_iter_from_epoch_scales_window(sched: Any) -> None:
    s = sched.LinearLR.build_iter_from_epoch(sgd(), begin=1, end=3, epoch_length=5)
    assert (s.begin, s.end, s.by_epoch) == (5, 15, False)
    with pytest.raises(AssertionError):
        sched.LinearLR.build_iter_from_epoch(sgd(), by_epoch=False, epoch_length=5)
    with pytest.raises(AssertionError):
        sched.LinearLR.build_iter_from_epoch(sgd(), epoch_length=0)


@pytest.mark.spec("SCH-07", "SCH-14")
def test_convert_to_iter_based_config(impl: Impl, sched: Any) -> None:
    registry, length = impl.mod("registry").PARAM_SCHEDULERS, 10
    cfgs = [
        dict(type="MultiStepLR", milestones=[6, 8], by_epoch=True),
        dict(type="MultiStepLR", milestones=[60, 80], by_epoch=False),
        dict(type="MultiStepLR", milestones=[6, 8], convert_to_iter_based=True),
    ]
    expected = [multistep(0.01, [6, 8], 0.1)(i // length) for i in range(100)]
    for cfg in cfgs:
        opt = sgd(0.01)
        s = registry.build(cfg, default_args=dict(optimizer=opt, epoch_length=length))
        assert_curve(simulate(opt, [s], epochs=10, length=length), expected)


SCH08_VALUES = [
    0.01, 0.0098296, 0.0093301, 0.0085355, 0.0075, 0.0062941, 0.005, 0.0037059,
    0.0025, 0.0014645, 0.00066987, 0.00017037, 0.0,
]  # fmt: skip


@pytest.mark.spec("SCH-08")
def test_cosine_by_epoch(sched: Any) -> None:
    opt, ref_opt = sgd(0.01), sgd(0.01)
    got = curve(opt, [sched.CosineAnnealingLR(opt, T_max=12)], 13)
    assert got == pytest.approx(SCH08_VALUES, abs=5e-8)
    ref = torch_sched.CosineAnnealingLR(ref_opt, T_max=12)
    assert_curve(got, curve(ref_opt, [ref], 13))


@pytest.mark.spec("SCH-08", "SCH-07")
def test_cosine_converted_is_smooth(impl: Impl) -> None:
    length, opt = 5, sgd(0.01)
    cfg = dict(
        type="CosineAnnealingLR", by_epoch=True, T_max=12, convert_to_iter_based=True
    )
    s = impl.mod("registry").PARAM_SCHEDULERS.build(
        cfg, default_args=dict(optimizer=opt, epoch_length=length)
    )
    got = simulate(opt, [s], epochs=12, length=length)
    assert_curve(got, [cosine(0.01, 12 * length)(i) for i in range(60)])
    assert [got[e * length] for e in range(12)] == pytest.approx(
        SCH08_VALUES[:12], abs=5e-8
    )


@pytest.mark.spec("SCH-09")
def test_warmup_then_multistep(sched: Any) -> None:
    opt, length = sgd(0.01), 60
    warm = sched.LinearLR(opt, start_factor=0.001, by_epoch=False, begin=0, end=50)
    main = sched.MultiStepLR(opt, by_epoch=True, milestones=[8, 11], gamma=0.1)
    got = simulate(opt, [warm, main], epochs=12, length=length)
    samples = {
        0: 1e-5,
        1: 0.00021388,
        10: 0.00204878,
        25: 0.00510694,
        48: 0.00979612,
        49: 0.01,
    }
    for i, value in samples.items():
        assert got[i] == pytest.approx(value, rel=5e-5)
    warm_curve = [0.01 * linear(0.001, 1.0, 49)(i) for i in range(50)]
    assert_curve(got[:50], warm_curve)
    rest = [multistep(0.01, [8, 11], 0.1)(i // length) for i in range(50, 720)]
    assert_curve(got[50:], rest)


@pytest.mark.spec("SCH-10")
def test_warmup_then_cosine(sched: Any) -> None:
    opt = sgd(1.0)
    warm = sched.LinearLR(opt, start_factor=0.001, by_epoch=False, begin=0, end=100)
    cos = sched.CosineAnnealingLR(opt, T_max=800, by_epoch=False, begin=100, end=900)
    got = curve(opt, [warm, cos], 1000)
    expected = [linear(0.001, 1.0, 99)(i) for i in range(100)]
    expected += [cosine(1.0, 800)(i - 100) for i in range(100, 900)]
    expected += [expected[-1]] * 100
    assert_curve(got, expected)
    assert got[500] == pytest.approx(0.5)
    assert got[950] == pytest.approx(3.855e-6, rel=1e-3)


@pytest.mark.spec("SCH-11")
def test_gap_holds_value(sched: Any) -> None:
    opt = sgd(1.0)
    warm = sched.LinearLR(opt, start_factor=0.5, by_epoch=False, begin=0, end=10)
    step = sched.MultiStepLR(opt, milestones=[2], gamma=0.1, by_epoch=False, begin=20)
    got = curve(opt, [warm, step], 30)
    assert_curve(got[9:22], [1.0] * 13)
    assert_curve(got[22:], [0.1] * 8)


@pytest.mark.spec("SCH-11")
def test_overlap_multiplies(sched: Any) -> None:
    opt = sgd(1.0)
    a = sched.LinearLR(opt, start_factor=0.2, by_epoch=False, begin=0, end=11)
    b = sched.ExponentialLR(opt, gamma=0.9, by_epoch=False, begin=5, end=15)
    got = curve(opt, [a, b], 20)
    lin = linear(0.2, 1.0, 10)
    expected = [lin(i) * 0.9 ** (min(max(i - 5, 0), 9)) for i in range(20)]
    assert_curve(got, expected)


@pytest.mark.spec("SCH-12")
def test_linear_momentum_sgd(sched: Any) -> None:
    opt = sgd(0.01, momentum=0.9)
    s = sched.LinearMomentum(opt, start_factor=0.001, by_epoch=False, begin=0, end=1000)
    got = curve(opt, [s], 1100, key="momentum")
    expected = [0.9 * linear(0.001, 1.0, 999)(i) for i in range(1100)]
    assert_curve(got, expected)


@pytest.mark.spec("SCH-12")
def test_momentum_drives_adam_betas(sched: Any) -> None:
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([param], lr=1e-3, betas=(0.9, 0.999))
    s = sched.CosineAnnealingMomentum(opt, T_max=10, eta_min=0.5)
    for t in range(15):
        beta1, beta2 = opt.param_groups[0]["betas"]
        assert beta1 == pytest.approx(cosine(0.9, 10, 0.5)(t))
        assert beta2 == 0.999
        s.step()


@pytest.mark.spec("SCH-13")
def test_param_scheduler_equals_lr_and_weight_decay(sched: Any) -> None:
    kw = dict(start_factor=0.001, by_epoch=False, begin=0, end=1000)
    a, b, c = sgd(0.02), sgd(0.02), sgd(0.02, weight_decay=1e-4)
    lr_curve = curve(a, [sched.LinearParamScheduler(a, param_name="lr", **kw)], 1000)
    assert lr_curve == curve(b, [sched.LinearLR(b, **kw)], 1000)
    wd = sched.LinearParamScheduler(c, param_name="weight_decay", **kw)
    got = curve(c, [wd], 1000, key="weight_decay")
    assert_curve(got, [1e-4 * linear(0.001, 1.0, 999)(i) for i in range(1000)])
    assert c.param_groups[0]["lr"] == 0.02


@pytest.mark.spec("SCH-15")
def test_migration_warmup(impl: Impl) -> None:
    opt, length = sgd(0.02), 600
    registry = impl.mod("registry").PARAM_SCHEDULERS
    cfgs = [
        dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500),
        dict(
            type="MultiStepLR",
            begin=0,
            end=12,
            by_epoch=True,
            milestones=[8, 11],
            gamma=0.1,
        ),
    ]
    schedulers = [registry.build(c, default_args=dict(optimizer=opt)) for c in cfgs]
    got = simulate(opt, schedulers, epochs=12, length=length)
    for i, value in {0: 2e-5, 1: 6.004008e-05, 250: 0.01003002, 499: 0.02}.items():
        assert got[i] == pytest.approx(value, rel=5e-6)
    for epoch, value in {0: 0.02, 7: 0.02, 8: 0.002, 10: 0.002, 11: 0.0002}.items():
        assert got[epoch * length + 550] == pytest.approx(value)


@pytest.mark.spec("SCH-16")
def test_multistep_on_adam(sched: Any) -> None:
    opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.001)
    got = curve(
        opt, [sched.MultiStepLR(opt, by_epoch=True, milestones=[4, 8], gamma=0.1)], 10
    )
    assert_curve(got, [1e-3] * 4 + [1e-4] * 4 + [1e-5] * 2)


# --------------------------------------------------------------------------
# Properties over random arguments (every family vs PyTorch or a closed form)

FACTOR = st.floats(0.05, 1.0)
GAMMA = st.floats(0.5, 1.0)


def torch_equivalent(family: str, end: int, data: Any) -> tuple[dict, Callable]:
    """Random kwargs for ``family`` with ``begin=0`` and PyTorch's twin."""
    if family == "MultiStep":
        kw = dict(
            milestones=data.draw(st.lists(st.integers(1, 150), max_size=6)),
            gamma=data.draw(GAMMA),
        )
        return kw, lambda o: torch_sched.MultiStepLR(o, **kw)
    if family == "Step":
        kw = dict(step_size=data.draw(st.integers(1, 40)), gamma=data.draw(GAMMA))
        return kw, lambda o: torch_sched.StepLR(o, **kw)
    if family == "Exponential":
        kw = dict(gamma=data.draw(st.floats(0.95, 1.0)))
        return kw, lambda o: torch_sched.ExponentialLR(o, **kw)
    if family == "CosineAnnealing":
        kw = dict(
            T_max=data.draw(st.integers(1, 100)), eta_min=data.draw(st.floats(0, 0.5))
        )
        return kw, lambda o: torch_sched.CosineAnnealingLR(o, **kw)
    if family == "Linear":
        kw = dict(start_factor=data.draw(FACTOR), end_factor=data.draw(FACTOR), end=end)
        return kw, lambda o: torch_sched.LinearLR(
            o, kw["start_factor"], kw["end_factor"], total_iters=end - 1
        )
    if family == "Constant":
        kw = dict(factor=data.draw(FACTOR), end=end)
        return kw, lambda o: torch_sched.ConstantLR(
            o, kw["factor"], total_iters=end - 1
        )
    kw = dict(power=data.draw(st.floats(0.5, 3.0)), end=end)
    return kw, lambda o: torch_sched.PolynomialLR(
        o, total_iters=end - 1, power=kw["power"]
    )


@pytest.mark.spec("SCH-02", "SCH-04", "SCH-08")
@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=25, deadline=None)
@given(end=st.integers(2, 150), data=st.data())
def test_family_matches_torch(sched: Any, family: str, end: int, data: Any) -> None:
    kw, make_ref = torch_equivalent(family, end, data)
    opt, ref_opt = sgd(1.0), sgd(1.0)
    got = curve(opt, [getattr(sched, f"{family}LR")(opt, **kw)], 300)
    assert_curve(got, curve(ref_opt, [make_ref(ref_opt)], 300))


WINDOW = st.tuples(st.integers(0, 60), st.integers(2, 60))


def factor_of(kind: str, arg: float, length: int) -> Callable[[int], float]:
    """Closed-form factor ``t`` steps into a window of ``length`` steps."""
    if kind == "Exponential":
        return lambda t: arg**t
    if kind == "Step":
        return lambda t: arg ** (t // 3)
    if kind == "Linear":
        return linear(arg, 1.0, length - 1)
    return lambda t: arg if t < length - 1 else 1.0


@pytest.mark.spec("SCH-11")
@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["Exponential", "Step", "Linear", "Constant"]),
            st.floats(0.5, 1.0),
            WINDOW,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_windows_compose_multiplicatively(sched: Any, parts: list) -> None:
    opt, schedulers, factors = sgd(1.0), [], []
    for kind, arg, (begin, length) in parts:
        end = begin + length
        kw = {
            "Exponential": dict(gamma=arg),
            "Step": dict(step_size=3, gamma=arg),
            "Linear": dict(start_factor=arg),
            "Constant": dict(factor=arg),
        }[kind]
        cls = getattr(sched, f"{kind}LR")
        schedulers.append(cls(opt, begin=begin, end=end, by_epoch=False, **kw))
        factors.append((begin, end, factor_of(kind, arg, length)))
    got = curve(opt, schedulers, 150)
    expected = []
    for i in range(150):
        value = 1.0
        for begin, end, f in factors:
            if i >= begin:
                value *= f(min(i, end - 1) - begin)
        expected.append(value)
    assert_curve(got, expected)


@pytest.mark.spec("SCH-06", "SCH-14")
@settings(max_examples=30, deadline=None)
@given(
    milestones=st.lists(st.integers(1, 12), min_size=1, max_size=4),
    length=st.integers(1, 9),
    gamma=GAMMA,
)
def test_iter_conversion_matches_epochs(
    sched: Any, milestones: list, length: int, gamma: float
) -> None:
    opt = sgd(1.0)
    s = sched.MultiStepLR.build_iter_from_epoch(
        opt, milestones=milestones, gamma=gamma, epoch_length=length
    )
    got = simulate(opt, [s], epochs=14, length=length)
    closed = multistep(1.0, milestones, gamma)
    assert_curve(got, [closed(i // length) for i in range(14 * length)])


# --------------------------------------------------------------------------
# OneCycle, CosineRestart and ReduceOnPlateau (families of SCH-02)


@pytest.mark.spec("SCH-02")
@settings(max_examples=30, deadline=None)
@given(
    total=st.integers(10, 200),
    pct=st.floats(0.1, 0.45),
    strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
    div=st.floats(2.0, 50.0),
)
def test_one_cycle_matches_torch(
    sched: Any, total: int, pct: float, strategy: str, three_phase: bool, div: float
) -> None:
    assume(pct * total >= 2)  # a rising phase of at least two steps
    kw = dict(total_steps=total, pct_start=pct, anneal_strategy=strategy,
              div_factor=div, three_phase=three_phase)  # fmt: skip
    opt, ref_opt = sgd(1.0), sgd(1.0)
    got = curve(opt, [sched.OneCycleLR(opt, eta_max=0.5, **kw)], total)
    ref = torch_sched.OneCycleLR(ref_opt, max_lr=0.5, cycle_momentum=False, **kw)
    assert_curve(got, curve(ref_opt, [ref], total))


@pytest.mark.spec("SCH-02")
@settings(max_examples=40, deadline=None)
@given(
    periods=st.lists(st.integers(1, 20), min_size=1, max_size=4),
    data=st.data(),
    eta_min=st.floats(0.0, 0.2),
    begin=st.integers(0, 10),
)
def test_cosine_restart_closed_form(
    sched: Any, periods: list, data: Any, eta_min: float, begin: int
) -> None:
    weights = data.draw(st.lists(FACTOR, min_size=len(periods), max_size=len(periods)))
    opt = sgd(1.0)
    s = sched.CosineRestartLR(
        opt, periods=periods, restart_weights=weights, eta_min=eta_min, begin=begin
    )
    steps = begin + sum(periods) + 10
    expected, last = [], 1.0
    for i in range(steps):
        t, start = i - begin, 0
        for period, weight in zip(periods, weights):
            if 0 <= t < start + period:
                pos = t - start
                top = weight
                last = (
                    eta_min
                    + (top - eta_min) * (1 + math.cos(math.pi * pos / period)) / 2
                )
                break
            start += period
        expected.append(last)
    assert_curve(curve(opt, [s], steps), expected)


@pytest.mark.spec("SCH-02")
@settings(max_examples=40, deadline=None)
@given(
    losses=st.lists(
        st.sampled_from([1.0, 0.9, 1.1, 0.95, 0.5]), min_size=1, max_size=60
    ),
    patience=st.integers(0, 4),
    cooldown=st.integers(0, 3),
    rule=st.sampled_from(["less", "greater"]),
    threshold_rule=st.sampled_from(["rel", "abs"]),
    threshold=st.sampled_from([1e-4, 0.05]),
    min_value=st.sampled_from([0.0, 0.02]),
)
def test_reduce_on_plateau_matches_torch(
    sched: Any, losses: list, patience: int, cooldown: int, rule: str,
    threshold_rule: str, threshold: float, min_value: float,
) -> None:  # fmt: skip
    opt, ref_opt = sgd(1.0), sgd(1.0)
    s = sched.ReduceOnPlateauLR(
        opt, patience=patience, cooldown=cooldown, rule=rule, factor=0.5,
        threshold_rule=threshold_rule, threshold=threshold, min_value=min_value,
    )  # fmt: skip
    mode = "min" if rule == "less" else "max"
    ref = torch_sched.ReduceLROnPlateau(
        ref_opt, mode=mode, factor=0.5, patience=patience, cooldown=cooldown,
        threshold=threshold, threshold_mode=threshold_rule, min_lr=min_value,
    )  # fmt: skip
    for loss in losses:
        s.step(dict(loss=loss))
        ref.step(loss)
        assert opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"])


@pytest.mark.spec("SCH-02")
def test_reduce_on_plateau_window_and_betas(sched: Any) -> None:
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([param], betas=(0.9, 0.99))
    s = sched.ReduceOnPlateauMomentum(opt, patience=0, factor=0.5, begin=1)
    s.step(dict(loss=1.0))
    s.step(dict(loss=2.0))  # before ``begin``: the metric is not judged
    assert opt.param_groups[0]["betas"] == (0.9, 0.99)
    s.step()  # a step without metrics advances the window counter
    s.step(dict(loss=1.0))
    s.step(dict(loss=2.0))
    assert opt.param_groups[0]["betas"] == (0.45, 0.99)
    with pytest.raises(KeyError):
        s.step(dict(acc=1.0))
