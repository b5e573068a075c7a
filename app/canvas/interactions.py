"""What the mouse and keys do on the canvas, and the edits they lead to (orange-canvas-core's
UserInteraction): the scene only draws and forwards its events to ``CanvasInteractions``, which
holds the current tool and mode and turns gestures into Editor calls.

- SelectInteraction: the default. Click selects, drag moves neurons (one undo step on release),
  a drag that starts on a neuron's connection dot (or anywhere on a neuron with the Connect tool)
  hands over to NewLinkInteraction. Area selection is the view's rubber band (Select tool only).
- NewLinkInteraction: a provisional line follows the mouse; releasing on a neuron asks the editor
  to connect, which may refuse with a reason shown in the status bar.

Every press an interaction takes is *accepted*: QGraphicsView starts its rubber band for any press
the scene leaves unaccepted, which used to select items under a connection being drawn.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPen, QTransform
from PySide6.QtWidgets import (QGraphicsLineItem, QGraphicsScene, QGraphicsSceneMouseEvent,
                               QGraphicsView)

from .. import style
from ..editor import Editor
from .items import PORT_R, NeuronItem

if TYPE_CHECKING:
    from .scene import NetworkScene

# The dot is a few pixels wide at small zooms: a press within its drawn disc plus this many screen
# pixels is on it. Qt grabs a neuron for moving when the press's one-pixel square merely touches
# its shape, so the dot's own test must be more generous than that, or its rim moves the neuron.
PORT_HIT_PX = 4.0
SELECT, CONNECT = "select", "connect"
TOOL_HINTS = {SELECT: "Click to select · drag to move · drag from a neuron's dot to connect",
              CONNECT: "Connect tool: drag from any neuron to a neuron in a later layer"}


def _view_transform(event: QGraphicsSceneMouseEvent) -> QTransform:
    widget = event.widget()
    view = widget.parentWidget() if widget is not None else None
    return view.viewportTransform() if isinstance(view, QGraphicsView) else QTransform()


def neuron_under(scene: "NetworkScene", event: QGraphicsSceneMouseEvent) -> NeuronItem | None:
    """The neuron Qt itself would pick for this press: the one whose shape the press's pixel
    touches (the same square QGraphicsScene uses to choose what to grab and move)."""
    transform = _view_transform(event)
    inverse, ok = transform.inverted()
    pixel = QRectF(transform.map(event.scenePos()) - QPointF(0.5, 0.5), QRectF(0, 0, 1, 1).size())
    area = inverse.mapRect(pixel) if ok else QRectF(event.scenePos(), event.scenePos())
    for item in scene.items(area, Qt.IntersectsItemShape, Qt.DescendingOrder, transform):
        if isinstance(item, NeuronItem):
            return item
    return None


def port_under(scene: "NetworkScene", event: QGraphicsSceneMouseEvent) -> NeuronItem | None:
    """The neuron whose connection dot is nearest the press, if the press is on it."""
    scale = _view_transform(event).m11() or 1.0
    reach = PORT_R + 2.0 + PORT_HIT_PX / scale
    p = event.scenePos()
    best, best_d = None, reach
    for items in scene.neurons:
        for item in items:
            if item.can_connect:
                q = item.mapToScene(item.port_pos())
                d = math.hypot(q.x() - p.x(), q.y() - p.y())
                if d <= best_d:
                    best, best_d = item, d
    return best


class CanvasInteractions:
    """The canvas's tool, its current interaction, and the edits gestures ask for."""

    def __init__(self, scene: "NetworkScene", editor: Editor) -> None:
        self.scene, self.editor = scene, editor
        self.tool = SELECT
        self.current: Interaction = SelectInteraction(self)

    @property
    def doc(self):
        return self.editor.doc

    def say(self, text: str) -> None:
        self.scene.status_message.emit(text)

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        self.say(TOOL_HINTS[tool])

    def set_mode(self, interaction: "Interaction") -> None:
        self.current = interaction

    def reset(self) -> None:
        """The scene is rebuilt: drop any half-done gesture (its items are gone)."""
        self.current.cancel()
        self.current = SelectInteraction(self)

    # ----------------------------------------------------------------- events from the scene
    def mouse_press(self, event) -> bool:
        return self.current.mouse_press(event)

    def mouse_move(self, event) -> bool:
        return self.current.mouse_move(event)

    def mouse_release(self, event) -> bool:
        return self.current.mouse_release(event)

    def key_press(self, event) -> bool:
        return self.current.key_press(event)

    # ----------------------------------------------------------------- edits asked for
    def connect_refusal(self, src: tuple[int, int], dst: tuple[int, int]) -> str | None:
        try:
            self.doc.network.check_connectable(src[0], src[1], dst[0], dst[1])
        except ValueError as exc:
            return f"Cannot connect: {exc}"
        return None

    def request_connection(self, src: tuple[int, int], dst: tuple[int, int]) -> bool:
        net = self.doc.network
        names = net.name_of(*src), net.name_of(*dst)
        if not self.editor.connect(src[0], src[1], dst[0], dst[1]):
            return False
        self.say(f"Connected {names[0]} → {names[1]}; double-click it to set its weight")
        return True

    def commit_moves(self) -> bool:
        """One undoable step for every neuron whose item left its stored place (a whole drag)."""
        net = self.doc.network
        moves = {}
        for li, items in enumerate(self.scene.neurons):
            for k, item in enumerate(items):
                old = self.scene.stored_position(li, k)
                p = item.pos()
                if abs(p.x() - old[0]) > 1e-9 or abs(p.y() - old[1]) > 1e-9:
                    moves[(li, k)] = (net.layers[li].positions[k], (p.x(), p.y()))
        return bool(moves) and self.editor.move(moves)

    def commit_value_edit(self, kind: str, key: tuple, text: str) -> bool:
        """Text typed in place: a name, or a number for a bias or weight (comma accepted)."""
        text = text.strip()
        if kind == "name":
            return self.editor.rename(*key, text)
        try:
            value = float(text.replace(",", ".")) if text else None
        except ValueError:
            value = None
        if value is None:
            self.say(f"{text!r} is not a number")
            return False
        if kind == "bias":
            return self.editor.set_bias(*key, value)
        return self.editor.set_weight(*key, value)


class Interaction:
    hint = ""

    def __init__(self, host: CanvasInteractions) -> None:
        self.host = host
        self.scene = host.scene

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        return False

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        return False

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        return False

    def key_press(self, event) -> bool:
        return False

    def cancel(self) -> None:
        """Leave the mode, undoing any provisional drawing."""


class SelectInteraction(Interaction):
    hint = TOOL_HINTS[SELECT]

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.LeftButton:
            return False
        source = port_under(self.scene, event)
        if source is None and self.host.tool == CONNECT:
            source = neuron_under(self.scene, event)
            if source is not None and not source.can_connect:
                self.host.say(f"{source.name} is an output neuron: connect from an earlier layer")
                source = None
        if source is not None:
            link = NewLinkInteraction(self.host, source)
            self.host.set_mode(link)
            link.mouse_move(event)
        if source is not None or self.host.tool == CONNECT:
            event.accept()  # the Connect tool neither moves nor rubber-band selects
            return True
        return False  # Qt's default: selection and moving of selected items

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        QGraphicsScene.mouseReleaseEvent(self.scene, event)
        if event.button() == Qt.LeftButton:
            self.host.commit_moves()  # whatever Qt moved during this press is one undo step
        return True


class NewLinkInteraction(Interaction):
    hint = ("Release on a neuron to connect (an earlier layer, the same layer or back on itself: "
            "a recurrent connection) · Esc cancels")

    def __init__(self, host: CanvasInteractions, source: NeuronItem) -> None:
        super().__init__(host)
        self.source_key = source.key
        start = source.mapToScene(source.port_pos())
        self.line = QGraphicsLineItem(QLineF(start, start))
        pen = QPen(style.TEMP_LINK, 2.0, Qt.DashLine)
        pen.setCosmetic(True)
        self.line.setPen(pen)
        self.line.setZValue(100)
        self.scene.addItem(self.line)
        self.target: NeuronItem | None = None
        self.left_source = False  # released back on its own neuron after leaving it: a self-loop

    def _set_target(self, item: NeuronItem | None) -> None:
        if item is self.target:
            return
        if self.target is not None:
            self.target.hovered = False
            self.target.update()
        self.target = item
        if item is not None:
            item.hovered = True
            item.update()
            reason = self.host.connect_refusal(self.source_key, item.key)
            self.host.say(reason or f"Release to connect to {item.name}")

    def _target_of(self, event) -> NeuronItem | None:
        """The neuron under the pointer; the source itself only once the drag has left it (a
        self-loop), so a click on the port draws nothing."""
        target = neuron_under(self.scene, event)
        if target is None or target.key != self.source_key:
            self.left_source = True
        return target if target is not None and (target.key != self.source_key or self.left_source) else None

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        line = self.line.line()
        self.line.setLine(QLineF(line.p1(), event.scenePos()))
        self._set_target(self._target_of(event))
        event.accept()
        return True

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        event.accept()
        return True

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        event.accept()
        if event.buttons() & Qt.LeftButton:
            return True  # another button let go while the drag goes on
        target = self._target_of(event)
        self._finish()
        if target is None:
            self.host.say("No connection drawn: release the drag on a neuron")
        else:
            self.host.request_connection(self.source_key, target.key)
        return True

    def key_press(self, event) -> bool:
        if event.key() == Qt.Key_Escape:
            self._finish()
            self.host.say("Connection cancelled")
            return True
        return False

    def cancel(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self._set_target(None)
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)
        self.host.set_mode(SelectInteraction(self.host))
