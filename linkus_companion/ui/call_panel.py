"""The call panel: one compact always-on-top window with a card per call, docked near the tray."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMoveEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from linkus_companion.backend import CallPhase, CallView, Status
from linkus_companion.model import Disposition
from linkus_companion.ui.call_card import CallCard
from linkus_companion.ui.resources import icon
from linkus_companion.ui.tray import status_details, trouble_line

log = logging.getLogger(__name__)

MARGIN = 12
"""Pixels between the panel and the screen edge."""
KEPT_ENDED = 5
"""Ended calls kept on the panel until dismissed; older ones leave first."""
WIDTH = 380
FRAME_MS = 16
"""Updates of a card within this time are shown as one refresh (a call's ringing, lookup and answer)."""
SPARE_CARDS = 32
"""Dismissed cards kept hidden for reuse (at most as many as were shown at once): a call storm shows its
calls without building widgets (13 ms a card) and without freeing and allocating them again, which left
the C heap a little more fragmented after each storm."""
REFIT_MS = 100
"""A visible panel re-sizes at most this often: a burst of call updates costs one layout, not one each."""
PAINT_MS = 33
"""The panel repaints at most this often: a burst of card updates costs one paint, not one each."""
MAX_PAINT_GAP_S = 0.1
"""On a machine so busy that a paint takes long, the panel still repaints at least this often."""
SETTLE_S = 1.0
"""A move by the window system this soon after the panel placed itself is the window manager's (frame,
screen edge), not the user's: only later moves are remembered."""


def dock_corner(screen: QRect, tray: QRect | None) -> Qt.Corner:
    """The screen corner nearest the tray icon (bottom right when the tray's place is unknown)."""
    if tray is None or not tray.isValid() or tray.isEmpty():
        return Qt.Corner.BottomRightCorner
    centre = tray.center()
    left = centre.x() - screen.left() < screen.right() - centre.x()
    top = centre.y() - screen.top() < screen.bottom() - centre.y()
    if top:
        return Qt.Corner.TopLeftCorner if left else Qt.Corner.TopRightCorner
    return Qt.Corner.BottomLeftCorner if left else Qt.Corner.BottomRightCorner


def docked_at(screen: QRect, corner: Qt.Corner, width: int, height: int) -> QPoint:
    """Top-left of a `width` x `height` window in `corner` of `screen`, MARGIN from the edges."""
    right = corner in (Qt.Corner.TopRightCorner, Qt.Corner.BottomRightCorner)
    bottom = corner in (Qt.Corner.BottomLeftCorner, Qt.Corner.BottomRightCorner)
    x = screen.right() - MARGIN - width if right else screen.left() + MARGIN
    y = screen.bottom() - MARGIN - height if bottom else screen.top() + MARGIN
    return QPoint(max(screen.left(), x), max(screen.top(), y))


def kept_on(screen: QRect, point: QPoint, width: int, height: int) -> QPoint:
    """`point` moved just enough that a `width` x `height` window there stays inside `screen`."""
    x = min(point.x(), screen.right() + 1 - width)
    y = min(point.y(), screen.bottom() + 1 - height)
    return QPoint(max(screen.left(), x), max(screen.top(), y))


class CallPanel(QWidget):
    """Every call of the user's extension as a card: live ones, then the last ended ones.

    The panel shows itself without taking the keyboard from the user's work; a click gives it focus.
    It docks to the screen corner nearest the tray; once the user moves it, it stays where they put it
    (remembered in `place_file`). Esc dismisses the ended calls and hides an empty panel.

    Signals:
        open_requested(str), add_requested(str), retry_requested(str), call_back_requested(str):
        the call id of the card whose button was pressed; record_chosen(str, str): call and record id;
        note_saved(str, object): call id and the CallNote typed on its card.
    """

    open_requested = Signal(str)
    add_requested = Signal(str)
    retry_requested = Signal(str)
    call_back_requested = Signal(str)
    record_chosen = Signal(str, str)
    note_saved = Signal(str, object)

    def __init__(
        self, *, place_file: Path | None = None, locate_tray: Callable[[], QRect] | None = None
    ) -> None:
        super().__init__(None)
        self.setWindowFlags(Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        # Shown over whatever the user works in, without taking the keyboard from it.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_MacAlwaysShowToolWindow)
        self.setWindowIcon(icon("app"))
        self.setFixedWidth(WIDTH)
        self.locate_tray = locate_tray
        """Where the tray icon is, asked at each docking: a tray host places the icon after it is shown."""
        self.region = "US"
        self.crm_name = ""
        self._can_create = True
        self.note_minutes = 15
        self.dispositions: tuple[Disposition, ...] = ()
        self._place_file = place_file
        self._placed_by_user = self._load_place()
        self._placing = False
        self._placed_at = 0.0
        """When the panel last moved, resized or showed itself (monotonic seconds)."""
        self._frame = (0, 0)
        """The frame's extra width and height the panel was last placed with."""
        self._cards: dict[str, CallCard] = {}
        self._spare: list[CallCard] = []
        """Dismissed cards, hidden, for the next calls."""
        self._pending: dict[str, CallView] = {}
        """The latest update of each card not refreshed yet."""
        self._apply = QTimer(self)
        self._apply.setSingleShot(True)
        self._apply.setInterval(FRAME_MS)
        self._apply.timeout.connect(self._apply_pending)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(REFIT_MS)
        self._refit.timeout.connect(self._fit)
        self._painted_at = 0.0
        self._paint_gap = PAINT_MS / 1000
        self._paint_later = QTimer(self)
        self._paint_later.setSingleShot(True)
        self._paint_later.timeout.connect(self._request_paint)

        self._status: Status | None = None
        self._trouble = QLabel()
        """The PBX/CRM trouble and the waiting call logs, in the tray's words; hidden while all is well."""
        self._trouble.setWordWrap(True)
        self._trouble.setStyleSheet("color: white; background: #b3261e; padding: 4px;")
        self._trouble.hide()
        self._dismiss_all = QPushButton()
        self._dismiss_all.clicked.connect(self.dismiss_all)
        header = QHBoxLayout()
        header.addStretch(1)  # the window's title says "Calls"; no second title inside
        header.addWidget(self._dismiss_all)
        self._list = QVBoxLayout()
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.addStretch(1)
        holder = QWidget()
        holder.setLayout(self._list)
        holder.installEventFilter(self)  # a card that grows or shrinks (a note saved, an error) refits
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes from button to button (it follows)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self._trouble)
        layout.addWidget(self._scroll)
        self.retranslate()

    # -- cards ------------------------------------------------------------------------------------

    def cards(self) -> list[CallCard]:
        """The cards shown, top to bottom (with every update received so far)."""
        self._apply_pending()
        return list(self._cards.values())

    def card(self, call_id: str) -> CallCard | None:
        """The card of `call_id`, if shown (with every update received so far)."""
        self._apply_pending()
        return self._cards.get(call_id)

    @property
    def can_create(self) -> bool:
        """Whether cards offer Add to CRM."""
        return self._can_create

    @can_create.setter
    def can_create(self, value: bool) -> None:
        if value == self._can_create:
            return  # the status changes often (pending logs); cards refresh only when this does
        self._can_create = value
        for card in self._cards.values():
            card.can_create = value
            card.refresh()
        for card in self._spare:
            card.can_create = value

    def show_call(self, call: CallView) -> CallCard | None:
        """Create or update the card of `call` (an ended call that has no card gets none).

        A new call's card shows at once; later updates of a card are folded into one refresh per frame.
        """
        card = self._cards.get(call.call_id)
        if card is not None:
            self._pending[call.call_id] = call
            if not self._apply.isActive():
                self._apply.start()
            return card
        if call.phase is CallPhase.ENDED:
            return None
        card = self._take_card(call)
        self._cards = {call.call_id: card, **self._cards}  # newest on top
        self._list.insertWidget(0, card)
        card.show()  # a widget added to a visible window stays hidden until shown
        self._settle()
        return card

    def _take_card(self, call: CallView) -> CallCard:
        """A spare card (one dismissed earlier) showing `call`, or a new one."""
        if self._spare:
            card = self._spare.pop()
            card.reuse(call)
            return card
        card = CallCard(call)
        card.region, card.crm_name, card.can_create = self.region, self.crm_name, self._can_create
        card.note_minutes = self.note_minutes
        card.set_dispositions(self.dispositions)
        card.note_saved.connect(self.note_saved)
        for name in ("open_requested", "add_requested", "retry_requested", "call_back_requested"):
            getattr(card, name).connect(getattr(self, name))
        card.record_chosen.connect(self.record_chosen)
        card.dismissed.connect(self.dismiss)
        card.update_call(call)
        return card

    def _apply_pending(self) -> None:
        """Show the latest state of every card updated since the last frame."""
        self._apply.stop()
        pending, self._pending = self._pending, {}
        for call_id, call in pending.items():
            card = self._cards.get(call_id)
            if card is not None:
                card.update_call(call)
        if pending:
            self._settle()

    def _settle(self) -> None:
        """After cards changed: drop the oldest ended ones, offer Dismiss all, size the panel."""
        self._drop_old_ended()
        self._offer_dismiss_all()
        self._fit_soon()  # sizing waits for the end of the burst, and resizes only if the height changed

    def flush(self) -> None:
        """Show every update, size and place the panel now rather than after the burst of updates."""
        self._apply_pending()
        self._refit.stop()
        self._fit()

    def dismiss(self, call_id: str) -> None:
        """Take a call's card off the panel; the panel hides when nothing is left."""
        self._pending.pop(call_id, None)
        card = self._cards.pop(call_id, None)
        if card is not None:
            card.hide()
            self._list.removeWidget(card)
            if len(self._spare) < SPARE_CARDS:
                self._spare.append(card)  # the next call reuses it: no widgets built during a call storm
            else:
                card.deleteLater()
        self._offer_dismiss_all()
        self._fit_soon()

    def dismiss_all(self) -> None:
        """Take every ended call off the panel (live calls stay)."""
        self._apply_pending()
        for call_id, card in list(self._cards.items()):
            if card.call.phase is CallPhase.ENDED:
                self.dismiss(call_id)

    def close_all(self) -> None:
        """Remove every card and hide (quitting)."""
        self._pending.clear()
        for call_id in list(self._cards):
            self.dismiss(call_id)

    def set_crm(
        self, crm_name: str, region: str, dispositions: tuple[Disposition, ...] = (), note_minutes: int = 15
    ) -> None:
        """The CRM's name and call outcomes, the region numbers are formatted for, the note window."""
        if (crm_name, region, dispositions, note_minutes) == (
            self.crm_name,
            self.region,
            self.dispositions,
            self.note_minutes,
        ):
            return
        self.crm_name, self.region = crm_name, region
        self.dispositions, self.note_minutes = dispositions, note_minutes
        for card in (*self._cards.values(), *self._spare):
            card.crm_name, card.region, card.note_minutes = crm_name, region, note_minutes
            if card.dispositions != dispositions:
                card.set_dispositions(dispositions)
        for card in self._cards.values():
            card.refresh()
        self._fit_soon()

    def set_status(self, status: Status) -> None:
        """Show the honest PBX/CRM state and why while something is wrong (the same words as the tray)."""
        self._status = status
        text = trouble_line(status)
        if text and (why := status_details(status)):
            text += "\n" + why  # the reason too, as the tray's tooltip and Settings → CRM give it
        if text != self._trouble.text():
            self._trouble.setText(text)
        if self._trouble.isHidden() == bool(text):
            self._trouble.setVisible(bool(text))
            self._fit_soon()

    def _offer_dismiss_all(self) -> None:
        self._dismiss_all.setVisible(any(c.call.phase is CallPhase.ENDED for c in self._cards.values()))

    def _drop_old_ended(self) -> bool:
        """Keep the newest KEPT_ENDED ended cards; whether any was dropped."""
        ended = [cid for cid, card in self._cards.items() if card.call.phase is CallPhase.ENDED]
        for call_id in ended[KEPT_ENDED:]:
            self.dismiss(call_id)
        return len(ended) > KEPT_ENDED

    # -- window -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.setWindowTitle(self.tr("Calls"))
        self._dismiss_all.setText(self.tr("Dismiss &all"))
        self._dismiss_all.setAccessibleName(self.tr("Remove every ended call from the panel"))
        self.setAccessibleName(self.tr("Call panel"))
        self._trouble.setAccessibleName(self.tr("Connection trouble"))
        if self._status is not None:
            self.set_status(self._status)

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        # Qt keeps what needs repainting until a request goes through: later ones paint it all at once.
        wait = self._painted_at + self._paint_gap - time.monotonic()
        if wait > 0:
            if not self._paint_later.isActive():
                self._paint_later.start(int(wait * 1000) + 1)
            return True
        start = time.monotonic()
        handled = super().event(event)
        self._painted_at = time.monotonic()
        # Painting takes at most a fifth of the loop: a slow paint (a busy machine) spaces the next ones out.
        self._paint_gap = min(MAX_PAINT_GAP_S, max(PAINT_MS / 1000, 4 * (self._painted_at - start)))
        return handled

    def _request_paint(self) -> None:
        QCoreApplication.postEvent(
            self, QEvent(QEvent.Type.UpdateRequest), Qt.EventPriority.LowEventPriority.value
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            self._fit_soon()
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss_all()
            if not self._cards:
                self.hide()
            return
        super().keyPressEvent(event)

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if self._placing or not self.isVisible() or not event.spontaneous():
            return
        if time.monotonic() - self._placed_at > SETTLE_S:
            self._placed_by_user = self.pos()
            self._save_place(self.pos())
        elif self._frame != self._frame_size():
            self._fit_soon()  # the window manager framed the panel: place it again with its frame

    def _fit_soon(self) -> None:
        """Show or hide at once; a visible panel re-sizes once the burst of updates is over."""
        if not self.isVisible() or not self._cards:
            self._refit.stop()
            self._fit()
        elif not self._refit.isActive():
            self._refit.start()

    def _fit(self) -> None:
        """Size to the cards (at most the screen's height), dock, and show or hide."""
        if not self._cards:
            self.hide()
            return
        screen = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
        content = sum(card.sizeHint().height() + self._list.spacing() for card in self._cards.values())
        if not self._trouble.isHidden():  # the banner of a failing link takes room above the cards
            content += self._trouble.heightForWidth(WIDTH - 16) + 6
        # the window manager's frame (title bar, borders) counts: the whole window stays on the screen
        self._frame = frame_w, frame_h = self._frame_size()
        height = min(
            screen.height() - 2 * MARGIN - frame_h, content + self._dismiss_all.sizeHint().height() + 40
        )
        self._placing = True
        try:
            if self.height() != height:  # an unchanged size would still relay out every card
                self.resize(WIDTH, height)
            if self._placed_by_user is not None and screen.contains(self._placed_by_user):
                self.move(kept_on(screen, self._placed_by_user, WIDTH + frame_w, height + frame_h))
            else:
                corner = dock_corner(screen, self.locate_tray() if self.locate_tray else None)
                self.move(docked_at(screen, corner, WIDTH + frame_w, height + frame_h))
            if not self.isVisible():
                self.show()
        finally:
            self._placing = False
            self._placed_at = time.monotonic()

    def _frame_size(self) -> tuple[int, int]:
        """How much wider and taller the window manager's frame makes the panel."""
        return self.frameGeometry().width() - self.width(), self.frameGeometry().height() - self.height()

    def _load_place(self) -> QPoint | None:
        if self._place_file is None or not self._place_file.exists():
            return None
        try:
            data = json.loads(self._place_file.read_text(encoding="utf-8"))
            return QPoint(int(data["x"]), int(data["y"]))
        except (OSError, ValueError, KeyError, TypeError):
            log.info("ignoring an unreadable panel position in %s", self._place_file)
            return None

    def _save_place(self, point: QPoint) -> None:
        if self._place_file is None:
            return
        try:
            self._place_file.parent.mkdir(parents=True, exist_ok=True)
            self._place_file.write_text(json.dumps({"x": point.x(), "y": point.y()}), encoding="utf-8")
        except OSError as exc:
            log.warning("could not remember where the call panel was moved: %s", exc)
