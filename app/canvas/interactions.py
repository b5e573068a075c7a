"""Interaction modes as objects (orange-canvas-core's UserInteraction): the scene forwards mouse
and key events to the current one; each returns True when it handled the event.

- SelectInteraction: the default. Click selects, drag moves neurons (one undo step on release),
  a drag that starts on a neuron's connection dot (or anywhere on a neuron with the Connect tool)
  hands over to NewLinkInteraction. Area selection is the view's rubber band.
- NewLinkInteraction: a provisional line follows the mouse; releasing on a neuron asks the editor
  to connect, which may refuse with a reason shown in the status bar.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsSceneMouseEvent

from .. import style
from .items import NeuronItem

if TYPE_CHECKING:
    from .scene import NetworkScene


class Interaction:
    hint = ""

    def __init__(self, scene: "NetworkScene") -> None:
        self.scene = scene

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
    hint = "Click to select · drag to move · drag from a neuron's dot to connect"

    def __init__(self, scene: "NetworkScene") -> None:
        super().__init__(scene)
        self.dragging = False

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        if event.button() != Qt.LeftButton:
            return False
        item = self.scene.neuron_at(event.scenePos())
        if item is not None:
            local = item.mapFromScene(event.scenePos())
            if item.can_connect and (item.is_on_port(local) or self.scene.tool == "connect"):
                link = NewLinkInteraction(self.scene, item)
                self.scene.set_interaction(link)
                link.mouse_move(event)
                return True
            self.dragging = True
        return False  # Qt's default: selection and moving of selected items

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.dragging and event.button() == Qt.LeftButton:
            self.dragging = False
            self.scene.commit_moves()
        return False


class NewLinkInteraction(Interaction):
    hint = ("Release on a neuron to connect (an earlier layer, the same layer or back on itself: "
            "a recurrent connection) · Esc cancels")

    def __init__(self, scene: "NetworkScene", source: NeuronItem) -> None:
        super().__init__(scene)
        self.source_key = source.key
        start = source.mapToScene(source.port_pos())
        self.line = QGraphicsLineItem(QLineF(start, start))
        pen = QPen(style.TEMP_LINK, 2.0, Qt.DashLine)
        self.line.setPen(pen)
        self.line.setZValue(100)
        scene.addItem(self.line)
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
            reason = self.scene.connect_refusal(self.source_key, item.key)
            self.scene.status_message.emit(reason or f"Release to connect to {item.name}")

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> bool:
        line = self.line.line()
        self.line.setLine(QLineF(line.p1(), event.scenePos()))
        target = self.scene.neuron_at(event.scenePos())
        if target is None or target.key != self.source_key:
            self.left_source = True
        self._set_target(target if target is not None and (target.key != self.source_key or self.left_source)
                         else None)
        return True

    def mouse_press(self, event: QGraphicsSceneMouseEvent) -> bool:
        return True

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> bool:
        target = self.scene.neuron_at(event.scenePos())
        self._finish()
        if target is None or (target.key == self.source_key and not self.left_source):
            self.scene.status_message.emit("No connection drawn: release the drag on a neuron")
        else:
            self.scene.request_connection(self.source_key, target.key)
        return True

    def key_press(self, event) -> bool:
        if event.key() == Qt.Key_Escape:
            self._finish()
            self.scene.status_message.emit("Connection cancelled")
            return True
        return False

    def cancel(self) -> None:
        self._finish()

    def _finish(self) -> None:
        self._set_target(None)
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)
        self.scene.set_interaction(SelectInteraction(self.scene))

