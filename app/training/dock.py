"""The Training panel: data set, loss, optimiser, update mode, stopping criteria, seed, speed and
the run buttons. Every setting is written to the document through its undo stack; the panel
reads it back on ``training_config_changed``/``dataset_changed`` (undo, open)."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout,
                               QGridLayout, QGroupBox, QHBoxLayout, QLabel, QRadioButton, QSpinBox,
                               QToolButton, QVBoxLayout, QWidget)

from core.losses import LOSSES, output_problem
from core.optimizers import OPTIMIZERS, OptimizerSettings
from core.training import TrainConfig

from . import data_sources

MODES = [("online", "Online (after every example)"), ("mini", "Mini-batch"), ("full", "Full batch")]


def _spin(lo: float, hi: float, decimals: int, step: float, tip: str = "") -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


def _ispin(lo: int, hi: int, tip: str = "") -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setKeyboardTracking(False)
    s.setToolTip(tip)
    return s


class TrainingPanel(QWidget):
    speed_changed = Signal(object)  # float epochs per second, or None for full speed

    def __init__(self, document, controller, actions: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.controller = controller
        self._updating = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self._run_box(actions))
        lay.addWidget(self._data_box())
        lay.addWidget(self._training_box())
        lay.addStretch(1)
        self._fit_column()
        document.training_config_changed.connect(self.read_config)
        document.dataset_changed.connect(self.read_dataset)
        document.structure_changed.connect(self.read_dataset)
        controller.message.connect(self.status.setText)
        self.read_config()
        self.read_dataset()

    # ----------------------------------------------------------------- layout
    def _run_box(self, actions: dict) -> QGroupBox:
        """Speed and run messages. The run buttons live in the main toolbar (Train/Pause, Step,
        Reset) and the Train menu: a second set here made the 320 px column 472 px wide."""
        box = QGroupBox("Run")
        grid = QGridLayout(box)
        self.fast_radio = QRadioButton("As fast as possible")
        self.slow_radio = QRadioButton("Slow:")
        self.speed_spin = _spin(0.2, 200.0, 1, 1.0, "Epochs per second when slowed down")
        self.speed_spin.setValue(4.0)
        self.speed_spin.setSuffix(" epochs/s")
        group = QButtonGroup(self)
        group.addButton(self.fast_radio)
        group.addButton(self.slow_radio)
        self.fast_radio.setChecked(True)
        grid.addWidget(self.fast_radio, 0, 0, 1, 2)
        grid.addWidget(self.slow_radio, 1, 0)
        grid.addWidget(self.speed_spin, 1, 1)
        self.fast_radio.toggled.connect(self._emit_speed)
        self.speed_spin.valueChanged.connect(self._emit_speed)
        self.status = QLabel(" ")
        self.status.setWordWrap(True)
        grid.addWidget(self.status, 2, 0, 1, 2)
        return box

    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Data")
        form = QFormLayout(box)
        self.source_combo = QComboBox()
        self.source_combo.addItem("The network file's own data", "own")
        for key, label in data_sources.generator_names():
            self.source_combo.addItem(label, key)
        form.addRow("Source", self.source_combo)
        self.samples_spin = _ispin(4, 100000, "Number of examples to generate")
        self.samples_spin.setValue(200)
        self.noise_spin = _spin(0.0, 5.0, 2, 0.05, "Noise added by the generator")
        self.noise_spin.setValue(0.1)
        self.data_seed_spin = _ispin(0, 2**31 - 1, "Seed of the generator")
        gen_row = QGridLayout()  # two rows: one row of three spin boxes was 332 px wide
        for k, (lbl, w) in enumerate((("n", self.samples_spin), ("noise", self.noise_spin),
                                      ("seed", self.data_seed_spin))):
            gen_row.addWidget(QLabel(lbl), k // 2, 2 * (k % 2))
            gen_row.addWidget(w, k // 2, 2 * (k % 2) + 1)
        self.gen_box = QWidget()
        self.gen_box.setLayout(gen_row)
        gen_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.gen_box)
        buttons = QHBoxLayout()
        self.generate_button = QToolButton(text="Generate")
        self.generate_button.clicked.connect(self.generate)
        self.csv_button = QToolButton(text="Import CSV…")
        self.csv_button.clicked.connect(self.import_csv)
        buttons.addWidget(self.generate_button)
        buttons.addWidget(self.csv_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.val_spin = _spin(0.0, 90.0, 0, 5.0, "Share of the examples held out for validation")
        self.val_spin.setSuffix(" %")
        self.val_spin.valueChanged.connect(self._on_validation_changed)
        form.addRow("Validation", self.val_spin)
        self.data_info = QLabel()
        self.data_info.setWordWrap(True)
        form.addRow(self.data_info)
        self.source_combo.currentIndexChanged.connect(self._on_source_changed)
        self._on_source_changed()
        return box

    def _training_box(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        self.loss_combo = QComboBox()
        for name, loss in LOSSES.items():
            self.loss_combo.addItem(loss.label, name)
        form.addRow("Loss", self.loss_combo)
        self.opt_combo = QComboBox()
        for name, label in OPTIMIZERS.items():
            self.opt_combo.addItem(label, name)
        form.addRow("Optimiser", self.opt_combo)
        self.lr_spin = _spin(1e-6, 100.0, 6, 0.05, "Learning rate η")
        form.addRow("Learning rate η", self.lr_spin)
        self.mom_spin = _spin(0.0, 0.999, 3, 0.05, "Momentum μ (Momentum optimiser)")
        form.addRow("Momentum μ", self.mom_spin)
        self.mode_combo = QComboBox()
        for key, label in MODES:
            self.mode_combo.addItem(label, key)
        self.batch_spin = _ispin(2, 1000000, "Examples per update in mini-batch mode")
        row = QHBoxLayout()
        row.addWidget(self.mode_combo, 1)
        row.addWidget(self.batch_spin)
        form.addRow("Updates", row)
        self.shuffle_check = QCheckBox("Shuffle the examples every epoch")
        form.addRow(self.shuffle_check)
        self.epochs_spin = _ispin(1, 10_000_000, "Epochs per run (Start); Resume continues the budget")
        form.addRow("Epochs", self.epochs_spin)
        self.target_check = QCheckBox("Stop at loss ≤")
        self.target_spin = _spin(0.0, 1e6, 6, 0.001)
        form.addRow(self.target_check, self.target_spin)
        self.change_check = QCheckBox("Stop when Δw <")
        self.change_spin = _spin(0.0, 1e3, 8, 1e-5, "Largest weight change in an epoch")
        form.addRow(self.change_check, self.change_spin)
        self.correct_check = QCheckBox("Stop when all are correct")
        self.correct_check.setToolTip("Stop when every example is classified correctly")
        form.addRow(self.correct_check)
        self.seed_spin = _ispin(0, 2**31 - 1, "Seed of the shuffling (and of Reset weights)")
        form.addRow("Seed", self.seed_spin)
        for w in (self.opt_combo, self.mode_combo):
            w.currentIndexChanged.connect(self.write_config)
        for w in (self.lr_spin, self.mom_spin, self.batch_spin, self.epochs_spin, self.target_spin,
                  self.change_spin, self.seed_spin):
            w.valueChanged.connect(self.write_config)
        for w in (self.shuffle_check, self.target_check, self.change_check, self.correct_check):
            w.toggled.connect(self.write_config)
        self.loss_combo.currentIndexChanged.connect(self._on_loss_changed)
        return box

    def _fit_column(self) -> None:
        """Fit the 300–320 px right-hand column: combo boxes may elide their longest entry and
        form rows wrap their field under the label instead of widening the panel."""
        for combo in self.findChildren(QComboBox):
            combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        for form in self.findChildren(QFormLayout):
            form.setRowWrapPolicy(QFormLayout.WrapLongRows)

    # ----------------------------------------------------------------- config <-> widgets
    def config_from_widgets(self) -> TrainConfig:
        old: TrainConfig = self.document.project.training
        mode = self.mode_combo.currentData()
        batch = 1 if mode == "online" else 0 if mode == "full" else self.batch_spin.value()
        opt = replace(old.optimizer, name=self.opt_combo.currentData(),
                      learning_rate=self.lr_spin.value(), momentum=self.mom_spin.value())
        return replace(old, optimizer=opt, batch_size=batch, shuffle=self.shuffle_check.isChecked(),
                       seed=self.seed_spin.value(), max_epochs=self.epochs_spin.value(),
                       target_loss=self.target_spin.value() if self.target_check.isChecked() else None,
                       min_weight_change=self.change_spin.value() if self.change_check.isChecked() else None,
                       stop_when_all_correct=self.correct_check.isChecked())

    @Slot()
    def write_config(self, *_) -> None:
        if self._updating:
            return
        self._enable()
        try:
            cfg = self.config_from_widgets()
        except ValueError as exc:
            self.status.setText(str(exc))
            return
        if cfg != self.document.project.training:
            self.controller.apply_edit(lambda: self.document.set_training_config(cfg))

    @Slot()
    def read_config(self) -> None:
        cfg: TrainConfig = self.document.project.training
        o: OptimizerSettings = cfg.optimizer
        self._updating = True
        try:
            self.opt_combo.setCurrentIndex(max(self.opt_combo.findData(o.name), 0))
            self.lr_spin.setValue(o.learning_rate)
            self.mom_spin.setValue(o.momentum)
            mode = "online" if cfg.batch_size == 1 else "full" if cfg.batch_size == 0 else "mini"
            self.mode_combo.setCurrentIndex(self.mode_combo.findData(mode))
            if mode == "mini":
                self.batch_spin.setValue(cfg.batch_size)
            elif self.batch_spin.value() < 2:
                self.batch_spin.setValue(16)
            self.shuffle_check.setChecked(cfg.shuffle)
            self.epochs_spin.setValue(cfg.max_epochs)
            self.target_check.setChecked(cfg.target_loss is not None)
            if cfg.target_loss is not None:
                self.target_spin.setValue(cfg.target_loss)
            self.change_check.setChecked(cfg.min_weight_change is not None)
            if cfg.min_weight_change is not None:
                self.change_spin.setValue(cfg.min_weight_change)
            self.correct_check.setChecked(cfg.stop_when_all_correct)
            self.seed_spin.setValue(cfg.seed)
            self.loss_combo.setCurrentIndex(max(self.loss_combo.findData(self.document.network.loss), 0))
        finally:
            self._updating = False
        self._enable()

    def _enable(self) -> None:
        self.mom_spin.setEnabled(self.opt_combo.currentData() == "momentum")
        self.batch_spin.setEnabled(self.mode_combo.currentData() == "mini")
        self.target_spin.setEnabled(self.target_check.isChecked())
        self.change_spin.setEnabled(self.change_check.isChecked())

    @Slot()
    def _on_loss_changed(self, *_) -> None:
        if self._updating:
            return
        name = self.loss_combo.currentData()
        net = self.document.network
        out = net.layers[-1]
        problem = output_problem(name, [out.activation_of(k) for k in range(out.size)], out.names,
                                 len(net.layers) - 1)
        if problem:  # refused: say why and show the loss the network keeps
            self.controller.message.emit(problem)
            self._updating = True
            self.loss_combo.setCurrentIndex(max(self.loss_combo.findData(net.loss), 0))
            self._updating = False
            return
        if name != net.loss:
            from app.commands import SetLossCommand
            self.controller.apply_edit(lambda: self.document.push(SetLossCommand(self.document, name)))

    # ----------------------------------------------------------------- data
    @Slot()
    def read_dataset(self) -> None:
        ds = self.document.project.dataset
        self._updating = True
        try:
            self.val_spin.setValue(round(100 * ds.validation_fraction) if ds is not None else 0)
        finally:
            self._updating = False
        self.val_spin.setEnabled(ds is not None)
        self.data_info.setText(data_sources.describe(ds, self.document.network,
                                                    self.document.project.problems))

    @Slot()
    def _on_source_changed(self, *_) -> None:
        key = self.source_combo.currentData()
        own = key == "own"
        self.gen_box.setEnabled(not own)
        self.generate_button.setEnabled(not own)
        if not own:
            n, noise = data_sources.generator_defaults(key)
            self.samples_spin.setValue(n)
            self.noise_spin.setValue(noise)

    @Slot()
    def generate(self) -> None:
        key = self.source_combo.currentData()
        if key == "own":
            return
        try:
            ds = data_sources.generate(key, self.samples_spin.value(), self.noise_spin.value(),
                                       self.data_seed_spin.value(), self.document.network,
                                       self.val_spin.value() / 100.0)
        except (ValueError, KeyError) as exc:
            self.status.setText(f"Cannot generate: {exc}")
            return
        label = self.source_combo.currentText()
        self.controller.apply_edit(lambda: self.document.set_dataset(ds, f"Data set: {label}"))

    @Slot()
    def import_csv(self) -> None:
        ds = data_sources.import_csv_dialog(self, self.document.network)
        if ds is not None:
            self.controller.apply_edit(lambda: self.document.set_dataset(ds, "Data set: imported CSV"))

    @Slot()
    def _on_validation_changed(self, value: float) -> None:
        ds = self.document.project.dataset
        if self._updating or ds is None:
            return
        frac = value / 100.0
        if abs(frac - ds.validation_fraction) > 1e-9:
            new = replace(ds, validation_fraction=frac)
            self.controller.apply_edit(lambda: self.document.set_dataset(new, f"Validation {value:.0f} %"))

    # ----------------------------------------------------------------- speed
    @Slot()
    def _emit_speed(self, *_) -> None:
        self.speed_spin.setEnabled(self.slow_radio.isChecked())
        self.speed_changed.emit(None if self.fast_radio.isChecked() else self.speed_spin.value())

    def set_slow(self, epochs_per_second: float | None) -> None:
        if epochs_per_second:
            self.speed_spin.setValue(epochs_per_second)
            self.slow_radio.setChecked(True)
        else:
            self.fast_radio.setChecked(True)
        self._emit_speed()
