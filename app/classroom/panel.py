"""The Step-through dock: where the class is (stage, "step 7 / 18", sample, epoch, E), the
controls (restart, back, forward, auto-play with its delay), the sample or typed input, the
precision and δ-glow scale, and the Explain panel for the selected neuron or connection."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from core.explain import Explanation, format_number
from core.stepper import StageView

from ..training.glow import GLOW_MODES
from .session import MAX_DELAY, MIN_DELAY, ClassroomSession

TYPED = -1  # the sample combo's entry for a typed input


class ClassroomPanel(QWidget):
    glow_mode_changed = Signal(str)

    def __init__(self, session: ClassroomSession, actions: dict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        self.stage_label = QLabel("Step-through is off")
        self.stage_label.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.stage_label.setWordWrap(True)
        self.counter_label = QLabel("")
        self.counter_label.setStyleSheet("font-size: 12pt;")
        self.where_label = QLabel("")
        self.error_label = QLabel("")
        self.error_label.setStyleSheet("font-size: 12pt; font-weight: bold;")
        for w in (self.stage_label, self.counter_label, self.where_label, self.error_label):
            lay.addWidget(w)

        buttons = QHBoxLayout()
        for key in ("stage_restart", "stage_back", "stage_forward", "stage_play"):
            b = QPushButton(actions[key].text().replace("&", ""))
            b.setToolTip(actions[key].toolTip())
            b.clicked.connect(actions[key].trigger)
            buttons.addWidget(b)
            setattr(self, f"{key}_button", b)
        lay.addLayout(buttons)

        form = QFormLayout()
        self.delay_spin = QDoubleSpinBox()
        self.delay_spin.setRange(MIN_DELAY, MAX_DELAY)
        self.delay_spin.setSingleStep(0.5)
        self.delay_spin.setDecimals(1)
        self.delay_spin.setSuffix(" s")
        self.delay_spin.setValue(session.delay)
        self.delay_spin.setToolTip("Auto-play waits this long at each stage")
        self.delay_spin.valueChanged.connect(session.set_delay)
        form.addRow("Delay per stage", self.delay_spin)
        self.sample_combo = QComboBox()
        self.sample_combo.setToolTip("The training sample the step starts with")
        self.sample_combo.activated.connect(self._on_sample_chosen)
        form.addRow("Sample", self.sample_combo)
        self.input_edit = QLineEdit()
        self.input_edit.setPlaceholderText("inputs, e.g. 0.05, 0.10")
        self.target_edit = QLineEdit()
        self.target_edit.setPlaceholderText("targets, e.g. 0.01, 0.99")
        typed = QHBoxLayout()
        typed.addWidget(self.input_edit)
        typed.addWidget(self.target_edit)
        self.use_typed = QPushButton("Use")
        self.use_typed.setToolTip("Step through this input and target instead of a sample of the data")
        self.use_typed.clicked.connect(self._use_typed)
        self.input_edit.returnPressed.connect(self._use_typed)
        self.target_edit.returnPressed.connect(self._use_typed)
        typed.addWidget(self.use_typed)
        form.addRow("Or type", typed)
        self.digits_spin = QSpinBox()
        self.digits_spin.setRange(3, 9)
        self.digits_spin.setValue(session.digits)
        self.digits_spin.setSuffix(" significant digits")
        self.digits_spin.setToolTip("Precision of every number on the canvas, here and in the table")
        self.digits_spin.valueChanged.connect(session.set_digits)
        session.digits_changed.connect(self._on_digits)
        form.addRow("Precision", self.digits_spin)
        self.glow_combo = QComboBox()
        for key, text in GLOW_MODES.items():
            self.glow_combo.addItem(f"δ glow: {text}", key)
        self.glow_combo.setCurrentIndex(list(GLOW_MODES).index("layer"))
        self.glow_combo.currentIndexChanged.connect(
            lambda i: self.glow_mode_changed.emit(self.glow_combo.itemData(i)))
        form.addRow("Glow scale", self.glow_combo)
        lay.addLayout(form)

        lay.addWidget(QLabel("<b>Explain</b> (click a neuron or connection)"))
        self.explain_view = QTextBrowser()
        self.explain_view.setOpenLinks(False)
        self.explain_view.setMinimumHeight(150)
        self.explain_view.setStyleSheet("font-size: 11pt;")
        lay.addWidget(self.explain_view, 1)
        self.explanation: Explanation | None = None
        session.stage_changed.connect(self.show_stage)
        session.playing_changed.connect(self._on_playing)
        session.message.connect(self._show_message)
        self.fill_samples()

    # ----------------------------------------------------------------- samples
    def fill_samples(self) -> None:
        self.sample_combo.clear()
        ds = self.session.doc.project.dataset
        if ds is not None:
            x, y = ds.inputs(), ds.y
            for k in range(min(len(ds), 500)):
                xs = ", ".join(format_number(v, 4) for v in x[k][:4]) + (" …" if x.shape[1] > 4 else "")
                ys = ", ".join(format_number(v, 4) for v in y[k][:4]) + (" …" if y.shape[1] > 4 else "")
                self.sample_combo.addItem(f"{k + 1}: {xs} → {ys}", k)
        self.sample_combo.addItem("typed input and target", TYPED)
        if self.session.custom is not None:
            self.sample_combo.setCurrentIndex(self.sample_combo.count() - 1)
        else:
            self.sample_combo.setCurrentIndex(max(0, min(self.session.sample, self.sample_combo.count() - 2)))

    def _on_sample_chosen(self, index: int) -> None:
        row = self.sample_combo.itemData(index)
        if row == TYPED:
            self.input_edit.setFocus()
            return
        self.session.pick_sample(int(row))

    def _use_typed(self) -> None:
        try:
            x = [float(v) for v in self.input_edit.text().replace(";", ",").split(",") if v.strip()]
            t = [float(v) for v in self.target_edit.text().replace(";", ",").split(",") if v.strip()]
            self.session.set_custom(x, t)
        except ValueError as e:
            self._show_message(f"Typed sample: {e}" if "could not convert" not in str(e)
                               else "Typed sample: inputs and targets are numbers separated by commas")
            return
        self.sample_combo.setCurrentIndex(self.sample_combo.count() - 1)

    # ----------------------------------------------------------------- state shown
    def show_stage(self, view: StageView | None) -> None:
        if view is None:
            self.stage_label.setText("Step-through is off")
            for w in (self.counter_label, self.where_label, self.error_label):
                w.setText("")
            self.explain_view.clear()
            return
        names = self.session.stepper.names if self.session.stepper else None
        if view.stage.sample is not None and self.session.custom is None:  # follow the step's sample
            k = self.sample_combo.findData(view.stage.sample)
            if k >= 0 and k != self.sample_combo.currentIndex():
                self.sample_combo.setCurrentIndex(k)
        self.stage_label.setText(view.stage.title(names))
        self.counter_label.setText(view.counter)
        if view.stage.sample is not None:
            rows = self.session.n_samples()
            which = "typed sample" if self.session.custom is not None else \
                f"sample {view.stage.sample + 1} of {rows}"
            batch = f" · batch of {len(view.batch)} (sample {view.stage.position + 1})" if len(view.batch) > 1 else ""
            self.where_label.setText(f"{which}{batch} · epoch {view.epoch} · update {view.step + 1}")
        else:
            self.where_label.setText(f"update {view.step + 1} · epoch {view.epoch} · gradient descent, η = "
                                     f"{format_number(view.learning_rate, self.session.digits)}"
                                     + (" · biases fixed" if view.fixed_biases else ""))
        d = self.session.digits
        if view.stage.kind == "update":
            e = view.batch_error
            self.error_label.setText("" if e is None else f"{'E' if len(view.batch) == 1 else 'mean E'} = "
                                     f"{format_number(e, d)} before this update")
        else:
            self.error_label.setText("" if view.error is None else f"E = {format_number(view.error, d)}")

    def set_explanation(self, explanation: Explanation | None) -> None:
        self.explanation = explanation
        if explanation is None:
            self.explain_view.setHtml("<p><i>Click a neuron or a connection on the canvas, or a row of "
                                      "the step table, to see its formula with this step's numbers.</i></p>")
        else:
            self.explain_view.setHtml(explanation.html)

    def _on_digits(self, digits: int) -> None:
        if self.digits_spin.value() != digits:
            self.digits_spin.setValue(digits)

    def _on_playing(self, playing: bool) -> None:
        self.stage_play_button.setText("⏸ Pause" if playing else "▶ Play")

    def _show_message(self, text: str) -> None:
        self.where_label.setText(text)
