"""Conformance of BaseModel and the data preprocessors (MODEL-01..07, 12).

Docs: "Model" tutorial (L3400-3607), the 15-minute tutorial (L205-233),
the GAN example (L660-793), non-scalar losses (L1155-1170, L7190-7215) and
the complexity example (L1415-1433, L8350-8368). Expected values are
independent torch computations on tiny models. BaseModule and weight
initialisation (MODEL-08) are in ``conformance/test_model_init.py``.

Tests marked "reference-derived" check behaviour the docs leave open (which
``parse_losses`` keys are summed, the padding of images): the expected
values there were observed on MMEngine 0.10.7 and are recorded in
docs/conformance/model.md.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from conformance.harness.impl import Impl

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture
def model_mod(impl: Impl) -> Any:
    return impl.mod("model")


@pytest.fixture
def sgd_wrapper(impl: Impl) -> Any:
    """``make(module, lr)`` -> an OptimWrapper around SGD."""
    optim = impl.mod("optim")

    def make(module: nn.Module, lr: float = 0.1) -> Any:
        return optim.OptimWrapper(torch.optim.SGD(module.parameters(), lr=lr))

    return make


def toy_model_class(model_mod: Any) -> type:
    """The doc's model shape: ``forward(imgs, labels=None, mode='tensor')``."""

    class ToyModel(model_mod.BaseModel):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.linear = nn.Linear(2, 1)
            self.modes: list[str] = []

        def forward(
            self, imgs: torch.Tensor, labels: Any = None, mode: str = "tensor"
        ) -> Any:
            self.modes.append(mode)
            out = self.linear(imgs)
            if mode == "loss":
                return {"loss": F.mse_loss(out, labels)}
            if mode == "predict":
                return out, labels
            return out

    return ToyModel


def num(value: Any) -> float:
    """A logged value as a float (a tensor, possibly with grad, or a number)."""
    return float(value.detach()) if isinstance(value, torch.Tensor) else float(value)


def batch() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor([[1.0, 2.0], [3.0, -1.0]]), torch.tensor([[1.0], [0.0]])


# --- MODEL-01 / MODEL-02 / MODEL-12: the forward contract and the steps ---


@pytest.mark.spec("MODEL-01", "MODEL-02")
def test_steps_call_forward_in_their_mode(model_mod: Any, sgd_wrapper: Any) -> None:
    model = toy_model_class(model_mod)()
    x, y = batch()
    model.train_step(dict(imgs=x, labels=y), sgd_wrapper(model))
    model.val_step(dict(imgs=x, labels=y))
    model.test_step(dict(imgs=x, labels=y))
    assert model.modes == ["loss", "predict", "predict"]


@pytest.mark.spec("MODEL-02")
@pytest.mark.parametrize("as_tuple", [False, True], ids=["dict", "tuple"])
def test_train_step_is_one_sgd_step(
    model_mod: Any, sgd_wrapper: Any, as_tuple: bool
) -> None:
    """A dict batch is unpacked with ``**``, a tuple batch with ``*``."""
    torch.manual_seed(0)
    model = toy_model_class(model_mod)()
    x, y = batch()
    # Independent computation of one SGD step on the same loss.
    reference = nn.Linear(2, 1)
    reference.load_state_dict(model.linear.state_dict())
    expected_loss = F.mse_loss(reference(x), y)
    expected_loss.backward()
    with torch.no_grad():
        expected = {n: p - 0.1 * p.grad for n, p in reference.named_parameters()}
    data = (x, y) if as_tuple else dict(imgs=x, labels=y)
    log_vars = model.train_step(data, sgd_wrapper(model, lr=0.1))
    assert "loss" in log_vars
    assert num(log_vars["loss"]) == pytest.approx(num(expected_loss))
    for name, param in model.linear.named_parameters():
        torch.testing.assert_close(param.detach(), expected[name])


@pytest.mark.spec("MODEL-02")
def test_val_and_test_step_agree_and_leave_params(model_mod: Any) -> None:
    model = toy_model_class(model_mod)()
    x, y = batch()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    val_out, val_labels = model.val_step((x, y))
    test_out, test_labels = model.test_step((x, y))
    torch.testing.assert_close(val_out, test_out)
    torch.testing.assert_close(val_out, model.linear(x))
    assert val_labels is not None and torch.equal(val_labels, y)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.spec("MODEL-12")
def test_forward_with_only_the_input_is_tensor_mode(model_mod: Any) -> None:
    model = toy_model_class(model_mod)()
    x, _ = batch()
    out = model(x)
    assert model.modes == ["tensor"]
    torch.testing.assert_close(out, model.linear(x))


@pytest.mark.spec("MODEL-01")
def test_base_model_needs_forward(model_mod: Any) -> None:
    """``forward`` is the one method a subclass must implement."""
    with pytest.raises(TypeError):
        model_mod.BaseModel()

    class NoForward(model_mod.BaseModel):
        pass

    with pytest.raises(TypeError):
        NoForward()


# --- MODEL-03: parse_losses ---


class NonScalarLossModel(nn.Module):
    """Forward of doc L7196-7201 on a fixed weight."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(1, 1)
        with torch.no_grad():
            self.linear.weight.fill_(0.5)
            self.linear.bias.fill_(0.25)


@pytest.mark.spec("MODEL-03")
def test_non_scalar_losses_are_averaged_and_summed(
    model_mod: Any, sgd_wrapper: Any
) -> None:
    class ToyModel(model_mod.BaseModel):
        def __init__(self) -> None:
            super().__init__()
            self.linear = NonScalarLossModel().linear

        def forward(self, img: Any, label: Any, mode: str) -> dict:
            feat = self.linear(img)
            loss1 = (feat - label).pow(2)
            loss2 = (feat - label).abs()
            return dict(loss1=loss1, loss2=loss2)

    img = torch.tensor([[[1.0]], [[3.0]]])  # shape (2, 1, 1)
    label = torch.ones(2, 1, 1)
    feat = 0.5 * img + 0.25
    loss1, loss2 = (feat - label).pow(2).mean(), (feat - label).abs().mean()
    log_vars = ToyModel().train_step((img, label), sgd_wrapper(nn.Linear(1, 1)))
    assert set(log_vars) == {"loss1", "loss2", "loss"}
    assert num(log_vars["loss1"]) == pytest.approx(float(loss1))
    assert num(log_vars["loss2"]) == pytest.approx(float(loss2))
    assert num(log_vars["loss"]) == pytest.approx(float(loss1 + loss2))


@pytest.mark.spec("MODEL-03")
def test_parse_losses_rules_reference_derived(model_mod: Any) -> None:
    """Reference-derived: only keys containing 'loss' are summed, a list of
    tensors is the sum of their means, and 'loss' comes first in log_vars."""
    model = toy_model_class(model_mod)()
    losses = dict(
        loss_cls=torch.tensor([1.0, 3.0]),
        acc=torch.tensor(5.0),
        loss_parts=[torch.tensor([1.0, 2.0]), torch.tensor(4.0)],
    )
    total, log_vars = model.parse_losses(losses)
    assert float(total) == pytest.approx(2.0 + 5.5)
    assert list(log_vars) == ["loss", "loss_cls", "acc", "loss_parts"]
    assert num(log_vars["acc"]) == pytest.approx(5.0)
    assert num(log_vars["loss_parts"]) == pytest.approx(5.5)
    with pytest.raises(TypeError):
        model.parse_losses(dict(loss=1.0))


# --- MODEL-04 / MODEL-05: data preprocessors ---


@pytest.mark.spec("MODEL-04")
def test_default_preprocessor_is_a_submodule_moving_data(model_mod: Any) -> None:
    model = toy_model_class(model_mod)()
    pre = model.data_preprocessor
    assert isinstance(pre, model_mod.BaseDataPreprocessor)
    assert dict(model.named_children())["data_preprocessor"] is pre
    assert "BaseDataPreprocessor" in repr(model)
    x, y = batch()
    out_tuple = pre((x, y))
    assert isinstance(out_tuple, tuple) and len(out_tuple) == 2
    assert torch.equal(out_tuple[0], x) and torch.equal(out_tuple[1], y)
    out_dict = pre(dict(imgs=x, labels=[y, "meta"]))
    assert isinstance(out_dict, dict) and set(out_dict) == {"imgs", "labels"}
    assert torch.equal(out_dict["imgs"], x)
    assert isinstance(out_dict["labels"], list) and out_dict["labels"][1] == "meta"


@CUDA
@pytest.mark.spec("MODEL-04")
def test_default_preprocessor_moves_to_cuda(model_mod: Any) -> None:
    model = toy_model_class(model_mod)().cuda()
    x, y = batch()
    out = model.data_preprocessor(dict(imgs=x, labels=y))
    assert out["imgs"].is_cuda and out["labels"].is_cuda


class RecordingPreprocessor(nn.Module):
    """A custom preprocessor (doc L3563): ``forward(data, training)``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[bool] = []

    def forward(self, data: Any, training: bool = True) -> Any:
        self.calls.append(training)
        return data


@pytest.mark.spec("MODEL-05")
def test_custom_preprocessor_module_sees_training_flag(
    model_mod: Any, sgd_wrapper: Any
) -> None:
    pre = RecordingPreprocessor()
    model = toy_model_class(model_mod)(data_preprocessor=pre)
    assert model.data_preprocessor is pre
    x, y = batch()
    model.train_step((x, y), sgd_wrapper(model))
    model.val_step((x, y))
    model.test_step((x, y))
    assert pre.calls == [True, False, False]


@pytest.mark.spec("MODEL-05")
def test_custom_preprocessor_from_cfg(impl: Impl, model_mod: Any) -> None:
    models = impl.mod("registry").MODELS
    name = "ConformanceRecordingPreprocessor"
    models.register_module(name=name, module=RecordingPreprocessor, force=True)
    try:
        model = toy_model_class(model_mod)(data_preprocessor=dict(type=name))
    finally:
        models._module_dict.pop(name, None)
    assert isinstance(model.data_preprocessor, RecordingPreprocessor)
    with pytest.raises(TypeError):
        toy_model_class(model_mod)(data_preprocessor=3)


@pytest.mark.spec("MODEL-06")
def test_img_preprocessor_normalises_and_stacks(model_mod: Any) -> None:
    pre = model_mod.ImgDataPreprocessor(mean=([127.5]), std=([127.5]))
    generator = torch.Generator().manual_seed(0)
    images = [
        torch.randint(0, 256, (1, 28, 28), dtype=torch.uint8, generator=generator)
        for _ in range(3)
    ]
    out = pre(dict(inputs=images), True)
    assert "inputs" in out
    inputs = out["inputs"]
    assert inputs.dtype == torch.float32 and inputs.shape == (3, 1, 28, 28)
    expected = (torch.stack(images).float() - 127.5) / 127.5
    torch.testing.assert_close(inputs, expected)
    assert float(inputs.min()) >= -1.0 and float(inputs.max()) <= 1.0


@pytest.mark.spec("MODEL-06")
def test_img_preprocessor_pads_reference_derived(model_mod: Any) -> None:
    """Reference-derived: images of different sizes are padded at the
    bottom/right to the largest size rounded up to ``pad_size_divisor``."""
    pre = model_mod.ImgDataPreprocessor(pad_size_divisor=4, pad_value=7)
    result = pre(dict(inputs=[torch.ones(1, 3, 5), torch.ones(1, 2, 2)]))
    assert result["data_samples"] is None
    out = result["inputs"]
    assert out.shape == (2, 1, 4, 8)
    expected = torch.full((4, 8), 7.0)
    expected[:2, :2] = 1.0
    torch.testing.assert_close(out[1, 0], expected)


# --- MODEL-07: a custom train_step (the GAN of L683-793) ---


def set_requires_grad(nets: Any, requires_grad: bool = False) -> None:
    """Doc L776-789."""
    if not isinstance(nets, list):
        nets = [nets]
    for net in nets:
        if net is not None:
            for param in net.parameters():
                param.requires_grad = requires_grad


def gan_class(model_mod: Any, seen: dict[str, Any]) -> type:
    class GAN(model_mod.BaseModel):
        def __init__(
            self,
            generator: Any,
            discriminator: Any,
            noise_size: int,
            data_preprocessor: Any,
        ) -> None:
            super().__init__(data_preprocessor=data_preprocessor)
            self.generator = generator
            self.discriminator = discriminator
            self.noise_size = noise_size

        def train_step(self, data: Any, optim_wrapper: Any) -> dict:
            inputs_dict = self.data_preprocessor(data, True)
            disc = optim_wrapper["discriminator"]
            with disc.optim_context(self.discriminator):
                log_vars = self.train_discriminator(inputs_dict, disc)
            set_requires_grad(self.discriminator, False)
            seen["disc_before_gen"] = [
                p.detach().clone() for p in self.discriminator.parameters()
            ]
            gen = optim_wrapper["generator"]
            with gen.optim_context(self.generator):
                log_vars_gen = self.train_generator(inputs_dict, gen)
            seen["disc_after_gen"] = [
                p.detach().clone() for p in self.discriminator.parameters()
            ]
            set_requires_grad(self.discriminator, True)
            log_vars.update(log_vars_gen)
            return log_vars

        def forward(
            self, batch_inputs: Any, data_samples: Any = None, mode: Any = None
        ) -> Any:
            return self.generator(batch_inputs)

        def train_discriminator(self, inputs: dict, wrapper: Any) -> dict:
            real = inputs["inputs"].flatten(1)
            z = torch.randn(real.shape[0], self.noise_size).type_as(real)
            with torch.no_grad():
                fake = self.generator(z)
            fake_pred = self.discriminator(fake)
            real_pred = self.discriminator(real)
            loss, log_vars = self.parse_losses(
                dict(
                    loss_disc_fake=F.binary_cross_entropy(
                        fake_pred, torch.zeros_like(fake_pred)
                    ),
                    loss_disc_real=F.binary_cross_entropy(
                        real_pred, torch.ones_like(real_pred)
                    ),
                )
            )
            wrapper.update_params(loss)
            return log_vars

        def train_generator(self, inputs: dict, wrapper: Any) -> dict:
            real = inputs["inputs"].flatten(1)
            z = torch.randn(real.shape[0], self.noise_size).type_as(real)
            pred = self.discriminator(self.generator(z))
            loss, log_vars = self.parse_losses(
                dict(loss_gen=F.binary_cross_entropy(pred, torch.ones_like(pred)))
            )
            wrapper.update_params(loss)
            return log_vars

    return GAN


@pytest.mark.spec("MODEL-07", "OPT-16")
def test_gan_train_step(impl: Impl, model_mod: Any) -> None:
    torch.manual_seed(0)
    optim = impl.mod("optim")
    seen: dict[str, Any] = {}
    generator = nn.Sequential(nn.Linear(4, 16), nn.Tanh())
    discriminator = nn.Sequential(nn.Linear(16, 1), nn.Sigmoid())
    pre = model_mod.ImgDataPreprocessor(mean=([127.5]), std=([127.5]))
    gan = gan_class(model_mod, seen)(generator, discriminator, 4, pre)
    wrappers = optim.OptimWrapperDict(
        generator=optim.OptimWrapper(torch.optim.Adam(generator.parameters(), lr=1e-2)),
        discriminator=optim.OptimWrapper(
            torch.optim.Adam(discriminator.parameters(), lr=1e-2)
        ),
    )
    disc_start = [p.detach().clone() for p in discriminator.parameters()]
    gen_start = [p.detach().clone() for p in generator.parameters()]
    images = [torch.randint(0, 256, (1, 4, 4), dtype=torch.uint8) for _ in range(2)]
    log_vars = gan.train_step(dict(inputs=images), wrappers)
    assert {"loss_disc_fake", "loss_disc_real", "loss_gen"} <= set(log_vars)
    for before, after in zip(seen["disc_before_gen"], seen["disc_after_gen"]):
        assert torch.equal(before, after)
    assert any(
        not torch.equal(a, b) for a, b in zip(disc_start, seen["disc_before_gen"])
    )
    assert any(not torch.equal(a, p) for a, p in zip(gen_start, generator.parameters()))
    assert all(p.requires_grad for p in discriminator.parameters())
