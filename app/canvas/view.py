"""The canvas view: zoom (wheel, Ctrl +/−), pan (middle button or Space + drag), fit to window,
rubber-band selection, the weight legend in a corner and the in-place value editor."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsView, QLineEdit

from .. import style
from ..panels.legend import legend_size, paint_legend
from .scene import NetworkScene

MIN_SCALE, MAX_SCALE = 0.01, 8.0


LEGEND_RESERVE = 100  # px at the bottom of the view kept free for the weight legend
MAX_FIT_SCALE = 2.0  # a 2-2-1 network is not blown up beyond this by "fit"


class InlineEditor(QLineEdit):
    """A one-line editor laid over the value it edits; Enter commits and closes, Esc or focus
    loss cancels."""

    committed = Signal(str)

    def __init__(self, parent) -> None:
        super().__init__(parent)
        self.setStyleSheet("QLineEdit { border: 2px solid #f2b705; padding: 0px 2px; background: white; }")
        self.setAlignment(Qt.AlignCenter)
        self.hide()

    def _close(self) -> None:
        self.parentWidget().parentWidget().setFocus()  # focus back to the view, not the next field
        self.hide()

    def event(self, event) -> bool:
        # Enter/Esc belong to this field, not to the window's shortcuts (e.g. Enter = edit value).
        if event.type() == QEvent.ShortcutOverride and event.key() in (
                Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape, Qt.Key_Delete, Qt.Key_Backspace):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Handled and accepted here: QLineEdit ignores Enter after returnPressed, and the ignored
        # key went on to the view, whose Enter opened the editor again.
        if event.key() in (Qt.Key_Return, Qt.Key_Enter):
            text = self.text()
            self._close()
            self.committed.emit(text)
            event.accept()
            return
        if event.key() == Qt.Key_Escape:
            self._close()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.hide()

    def place_over(self, rect: QRect, point_size: float) -> None:
        """Cover ``rect`` (viewport pixels) with text as large as the label's on screen; wider
        when the typed text needs it, centred on the label either way."""
        font = QFont(self.font())
        font.setPointSizeF(max(point_size, 6.0))
        self.setFont(font)
        fm = QFontMetrics(font)
        height = max(rect.height(), fm.height() + 4)
        width = max(rect.width(), fm.horizontalAdvance(self.text() + "00") + 8)
        centre = rect.center()
        self.setGeometry(centre.x() - width // 2, centre.y() - height // 2, width, height)


class NetworkView(QGraphicsView):
    zoom_changed = Signal(float)
    enter_pressed = Signal()  # Enter on the canvas: type the selected value in place

    def __init__(self, scene: NetworkScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.net_scene = scene
        self.setRenderHint(QPainter.Antialiasing, True)
        self.setRenderHint(QPainter.TextAntialiasing, True)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.DontAdjustForAntialiasing, True)
        self.setAcceptDrops(False)
        self.viewport().setAcceptDrops(False)
        self.setFocusPolicy(Qt.StrongFocus)
        self.show_legend = True
        self._legend_key: tuple | None = None  # what self._legend shows (see _legend_pixmap)
        self._legend: QPixmap | None = None
        self.auto_fit = True  # refit on resize until the user zooms or pans
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(30)
        self._fit_timer.timeout.connect(self._refit)
        # Scroll bars would appear and vanish as the fitted scene grazes the edges, resizing the
        # viewport in a loop; panning works without them (middle button, Space + drag).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._space_down = False
        self._pan_from: QPointF | None = None
        self._editing: tuple[str, tuple] | None = None
        self.inline_editor = InlineEditor(self.viewport())
        self.inline_editor.committed.connect(self._on_edit_committed)
        scene.value_edit_requested.connect(self.start_inline_edit)
        scene.selectionChanged.connect(self.viewport().update)
        scene.weight_scale_changed.connect(self._on_weight_scale_changed)

    # ----------------------------------------------------------------- zoom
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        self.auto_fit = False
        factor = max(MIN_SCALE, min(MAX_SCALE, factor))
        self.setTransform(self.transform().fromScale(factor, factor))
        self.zoom_changed.emit(factor)
        self.viewport().update()

    def zoom_by(self, ratio: float) -> None:
        self.set_zoom(self.zoom * ratio)

    def zoom_in(self) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.zoom_by(1.25)
        self.setTransformationAnchor(anchor)

    def zoom_out(self) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.zoom_by(0.8)
        self.setTransformationAnchor(anchor)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_to_window(self) -> None:
        """Fill the view with the network, above the legend (which sits bottom-left), so a
        small textbook network is drawn large enough to read from the back of a classroom."""
        rect: QRectF = self.net_scene.sceneRect()
        if rect.isEmpty():
            return
        vp = self.viewport().rect()
        reserved = LEGEND_RESERVE if self.show_legend else 0
        avail_w, avail_h = max(vp.width() - 16, 50), max(vp.height() - reserved - 16, 50)
        by_height = avail_h / rect.height() < avail_w / rect.width()
        scale = min(avail_w / rect.width(), avail_h / rect.height(), MAX_FIT_SCALE)
        self.setTransform(self.transform().fromScale(scale, scale))
        # A fitted scene is smaller than the view, so the view's alignment places it: when height
        # is what limits it, pin it to the top so the reserved strip below holds the legend.
        self.setAlignment(Qt.AlignHCenter | (Qt.AlignTop if by_height and reserved else Qt.AlignVCenter))
        self.centerOn(rect.center())
        self.auto_fit = True
        self.zoom_changed.emit(self.zoom)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.auto_fit and not self._fit_timer.isActive():
            self._fit_timer.start()  # coalesced: a dock drag sends many resizes

    def _refit(self) -> None:
        if self.auto_fit:
            self.fit_to_window()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.zoom_by(1.0015 ** delta)
        event.accept()

    # ----------------------------------------------------------------- pan
    def _start_pan(self, pos: QPointF) -> None:
        self.auto_fit = False
        self._pan_from = pos
        self.viewport().setCursor(Qt.ClosedHandCursor)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space_down):
            self._start_pan(event.position())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan_from is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan_from = None
            self.viewport().setCursor(Qt.OpenHandCursor if self._space_down else Qt.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            event.accept()
            return
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not self.inline_editor.isVisible():
            self.enter_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self.viewport().setCursor(Qt.ArrowCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ----------------------------------------------------------------- legend
    def _on_weight_scale_changed(self, _max_abs: float) -> None:
        """The legend's reference weights are drawn in the foreground, which Qt repaints only
        where scene items changed. A new largest |w| rescales every edge's width anyway, so the
        whole viewport is repainted, legend included."""
        if self.show_legend:
            self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """The legend, from a pixmap made when what it shows changes: during a run the canvas
        repaints at every frame, and drawing the legend's text each time was a third of an XOR
        canvas repaint (3.8 ms with it, 2.7 without, measured)."""
        if not self.show_legend:
            return
        pixmap = self._legend_pixmap()
        h = self.viewport().height()
        at = QRectF(0, h - pixmap.deviceIndependentSize().height(), *pixmap.deviceIndependentSize().toTuple())
        if not self.mapToScene(at.toAlignedRect()).boundingRect().intersects(rect):
            return  # only the part of the viewport that changed is repainted: not the legend
        painter.save()
        painter.resetTransform()
        painter.drawPixmap(at.topLeft(), pixmap)
        painter.restore()

    def _legend_pixmap(self) -> QPixmap:
        """The legend on a transparent pixmap its own size. Its picture depends on the numbers as
        printed (the pens are the largest and a sixth of it), so it is kept until they change."""
        ratio = self.viewport().devicePixelRatioF()
        m = self.net_scene.max_abs
        key = (style.format_value(m), style.format_value(m * 0.15), self.net_scene.batches_summary(),
               style.text_scale, style.theme, ratio)
        if key != self._legend_key:
            w, h = legend_size(m, key[2])
            size = QSize(int(w) + 40, int(h) + 40)  # room to spare: the box is measured as drawn
            canvas = QPixmap(int(size.width() * ratio), int(size.height() * ratio))
            canvas.setDevicePixelRatio(ratio)
            canvas.fill(Qt.transparent)
            p = QPainter(canvas)
            box = paint_legend(p, QRect(QPoint(0, 0), size), m, key[2])
            p.end()
            top = max(int(box.top()) - 1, 0)
            keep = QRect(0, top, min(int(box.right()) + 11, size.width()), size.height() - top)
            self._legend = canvas.copy(QRect(keep.topLeft() * ratio, keep.size() * ratio))
            self._legend.setDevicePixelRatio(ratio)
            self._legend_key = key
        return self._legend

    # ----------------------------------------------------------------- in-place editing
    def start_inline_edit(self, kind: str, key: tuple, scene_rect: QRectF, text: str) -> None:
        """Open the field once the double-click's release has been delivered to the scene."""
        QTimer.singleShot(0, lambda: self._show_inline_edit(kind, key, scene_rect, text))

    def _show_inline_edit(self, kind: str, key: tuple, scene_rect: QRectF, text: str) -> None:
        grabber = self.net_scene.mouseGrabberItem()
        if grabber is not None:
            grabber.ungrabMouse()
        self._editing = (kind, key)
        self.inline_editor.setText(text)
        label_pt = style.value_font(10.0 if kind == "name" else 8.5).pointSizeF()  # as items paint
        self.inline_editor.place_over(self.mapFromScene(scene_rect).boundingRect(), label_pt * self.zoom)
        self.inline_editor.setToolTip({"name": "Type a new name", "bias": "Type the bias",
                                "weight": "Type the weight"}[kind] + " · Enter to apply, Esc to cancel")
        self.inline_editor.show()
        self.inline_editor.raise_()
        self.inline_editor.selectAll()
        self.inline_editor.setFocus()

    def _on_edit_committed(self, text: str) -> None:
        if self._editing is not None:
            kind, key = self._editing
            self._editing = None
            self.net_scene.interactions.commit_value_edit(kind, key, text)
        self.setFocus()
