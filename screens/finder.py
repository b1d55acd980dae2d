"""The choose-service screen: finding one of 500 services (issue 17, part 1).

Four ways in, always visible as tabs: **Popular** (most used first; the start view),
**Departments** and **Life events** (category tiles with icons -> that category's services),
and **Search** (the kiosk's own letter keyboard: pinyin initials, full pinyin, English words;
kiosk.core.service_search). No scrolling: the tiles are paged with large Previous / Next
buttons, and the page size follows the screen's height, the language and care mode.

Built once and reused: a fixed pool of tile buttons is refilled on each change (mode, page,
keystroke); no widget is created or deleted while the citizen types. The browsing state
(tab, category, query, page) is this screen's own and is kept when the citizen comes back
from a service's page; `wipe()` resets it at the end of the session.

A service this kiosk cannot do end to end is listed like any other, marked with where it is
done; tapping it opens its page, which says where to go instead (screens/start.py).
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from screens.base import KioskView, Screen
from screens.icons import pixmap
from screens.texts import tr
from screens.theme import HIGH_CONTRAST, NORMAL
from screens.icons import ICONS
from screens.theme import Theme
from screens.widgets import SearchKeyboard, TileButton, big_button, label

POOL_SIZE = 24                   # the most tiles one page can show (4 columns x 6 rows)
TABS = ("popular", "departments", "life_events", "search")
SPACING = 12
TILE_MARGINS = 16               # a tile's vertical padding around its text (TileButton: 8 + 8)
# Tabs and the search row's small buttons: narrow side padding so four tabs fit at 1280 px in care mode.
COMPACT_BUTTON = "QPushButton { padding: 0 6px; }"


def tab_text(tab: str) -> str:
    return {"popular": tr("Popular"), "departments": tr("Departments"), "life_events": tr("Life events"),
            "search": tr("Search")}[tab]


def where_marker(service) -> str:
    """The second line of a service tile: done here, or where it is done instead."""
    if service.available:
        return tr("✓ At this kiosk")
    channel = service.where_to_go.channel if service.where_to_go else "counter"
    return {"counter": tr("→ At a counter"), "appointment": tr("→ By appointment"),
            "online": tr("→ On your phone"), "app": tr("→ On your phone"),
            "phone": tr("→ By telephone")}.get(channel, tr("→ At a counter"))


class _ResizeWatcher(QObject):
    """Calls back (once per burst, after layout) when the watched widget changes size."""

    def __init__(self, callback, parent):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(callback)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Resize:
            self._timer.start()
        return False


LINE_MEMOS = 16      # 3 languages x care mode x tiles with/without icons, and a spare width or two


class ChooseServiceScreen(Screen):
    """Tabs (browse) or the search row, a page of tiles (or a message), the keyboard (search),
    the footer (browse). See the module docstring."""

    def __init__(self, intents, parent=None):
        super().__init__(intents, parent)
        self.layout_.setContentsMargins(24, 12, 24, 12)
        self.layout_.setSpacing(SPACING)
        # Browse: the four ways in.
        self.tabs_row = QWidget()
        tabs = QHBoxLayout(self.tabs_row)
        tabs.setContentsMargins(0, 0, 0, 0)
        tabs.setSpacing(SPACING)
        self.tab_buttons = {}
        for tab in TABS:
            button = big_button(name=f"tab-{tab}")
            button.setStyleSheet(COMPACT_BUTTON)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, t=tab: self.show_tab(t))
            tabs.addWidget(button, 1)
            self.tab_buttons[tab] = button
        self.layout_.addWidget(self.tabs_row)
        # Context row: the title (browse) or the search field and its keys (search), and the page.
        context = QHBoxLayout()
        context.setSpacing(SPACING)
        self.search_back = big_button(name="searchBack")
        self.search_back.clicked.connect(self._leave_search)
        self.title = label(role="title")
        self.query = QLineEdit()
        self.query.setObjectName("serviceQuery")
        self.query.setReadOnly(True)            # typed on our keyboard only; no system input method
        self.query.setMaxLength(60)
        self.query.setFocusPolicy(Qt.NoFocus)
        self.query.textEdited.connect(self._query_edited)
        self.delete_key = big_button("⌫", name="searchDelete")
        self.delete_key.clicked.connect(lambda: self._edit_query(self.query.text()[:-1]))
        self.clear_key = big_button(name="searchClear")
        self.clear_key.setStyleSheet(COMPACT_BUTTON)
        self.clear_key.clicked.connect(lambda: self._edit_query(""))
        self.page_label = label(role="subtitle", wrap=False)          # search: "1/3" beside the arrows
        self.search_previous = big_button("◀", name="searchPrevious")
        self.search_previous.clicked.connect(lambda: self._turn(-1))
        self.search_next = big_button("▶", name="searchNext")
        self.search_next.clicked.connect(lambda: self._turn(+1))
        for widget in (self.search_back, self.title, self.query, self.delete_key, self.clear_key, self.page_label,
                       self.search_previous, self.search_next):
            context.addWidget(widget, 1 if widget in (self.title, self.query) else 0)
        self.layout_.addLayout(context)
        # The tiles (a fixed pool, refilled page by page) or, when there are none, the message.
        self.stack = QStackedWidget()
        self.grid_host = QWidget()
        self.grid_host.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(SPACING)
        self.tiles = [TileButton(self.grid_host) for _ in range(POOL_SIZE)]
        for index, tile in enumerate(self.tiles):
            tile.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Ignored)
            tile.clicked.connect(lambda _=False, i=index: self._tile_clicked(i))
            tile.hide()
        self.message = QWidget()
        message = QVBoxLayout(self.message)
        message.setContentsMargins(0, 0, 0, 0)
        self.hint = label(role="subtitle")
        self.hint.setObjectName("finderHint")
        self.staff_button = big_button(name="finderStaff")
        self.staff_button.clicked.connect(intents.call_staff)
        message.addWidget(self.hint)
        message.addWidget(self.staff_button, alignment=Qt.AlignLeft)
        message.addStretch(1)
        self.stack.addWidget(self.grid_host)
        self.stack.addWidget(self.message)
        self.layout_.addWidget(self.stack, 1)
        self._watcher = _ResizeWatcher(self._refresh, self)
        self.grid_host.installEventFilter(self._watcher)
        self.keyboard = SearchKeyboard()
        self.keyboard.bind(self.query)
        self.layout_.addWidget(self.keyboard)
        # Browse footer: home (or back to the category list), and the large page buttons.
        self.footer = QWidget()
        footer = QHBoxLayout(self.footer)
        footer.setContentsMargins(0, 0, 0, 0)
        footer.setSpacing(SPACING)
        self.home_button = big_button(name="finderHome")
        self.home_button.clicked.connect(self._home_or_back)
        self.previous_button = big_button(name="pagePrevious")
        self.previous_button.clicked.connect(lambda: self._turn(-1))
        self.next_button = big_button(name="pageNext")
        self.next_button.clicked.connect(lambda: self._turn(+1))
        # Browse: "Page 2 of 7" between home and the page buttons (its length never moves the tiles).
        self.footer_page_label = label(role="subtitle", wrap=False)
        self.footer_page_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        footer.addWidget(self.home_button)
        footer.addWidget(self.footer_page_label, 1)
        footer.addWidget(self.previous_button)
        footer.addWidget(self.next_button)
        self.layout_.addWidget(self.footer)
        self._session = None
        self._view = None
        self._items: list = []          # what the tiles show: Service or Category objects, in order
        self._pages: list[tuple[int, int, tuple[int, ...]]] = []   # (start, end, row heights) per page
        self._columns = 3
        self._page_items: list = []
        self._placed: tuple = ()
        self._filled_key = None
        self._paged_key = None
        self._lines_key = None
        self._lines: list[int] = []
        # (language, categories?, line spacing, width) -> {item id: text lines}: kept for every
        # language and mode seen (a dozen at most), not only the last one, so a kiosk whose citizens
        # alternate languages does not re-measure every name at each session (16 ms a time).
        self._line_memos: dict[tuple, dict[str, int]] = {}
        self.reset()

    # --- browsing state (the screen's own, reset at session end) --------------------------

    def reset(self) -> None:
        self.tab = "popular"
        self.category_id: str | None = None
        self.page = 0
        self.query.clear()
        self._filled_key = None

    def wipe(self) -> None:
        super().wipe()
        self.reset()
        search = getattr(self._view, "service_search", None)
        if search is not None:
            search.forget_recent()          # the next citizen's search starts from nothing

    def show_tab(self, tab: str) -> None:
        self.tab, self.category_id, self.page = tab, None, 0
        self._refresh()

    def reveal(self, service_id: str) -> bool:
        """Turns the Popular tab to the page that holds this service (the demo's autopilot and the
        tests drive the screen by service id). False when the catalog does not list it."""
        self.show_tab("popular")
        for page in range(self.page_count()):
            self.page = page
            self._refresh()
            if any(getattr(item, "id", None) == service_id for item in self._page_items):
                return True
        self.show_tab("popular")
        return False

    def show_category(self, category_id: str) -> None:
        self.category_id, self.page = category_id, 0
        self._refresh()

    def _leave_search(self) -> None:
        self.query.clear()                    # the next search starts from an empty field
        self.show_tab("popular")

    def _home_or_back(self) -> None:
        if self.category_id is not None:
            self.show_tab(self.tab)           # back to the category tiles
        else:
            self.intents.cancel()

    def _turn(self, step: int) -> None:
        self.page = max(0, min(self.page + step, self.page_count() - 1))
        self._refresh()

    def _edit_query(self, text: str) -> None:
        self.query.setText(text)
        self._query_edited(text)

    def _query_edited(self, _text: str) -> None:
        self.page = 0
        self._refresh()

    def _tile_clicked(self, index: int) -> None:
        if index >= len(self._page_items):
            return
        item = self._page_items[index]
        if self._shows_categories():
            self.show_category(item.id)
        else:
            self.intents.choose_service(item.id)

    # --- what to show ----------------------------------------------------------------------

    def items(self) -> list:
        """Everything the current tab / category / query shows, in order (all pages)."""
        catalog = self._session.catalog if self._session is not None else None
        if catalog is None:
            return []
        if self.category_id is not None:
            return list(catalog.in_category(self.category_id))
        if self.tab == "popular":
            return list(catalog.popular)
        if self.tab in ("departments", "life_events"):
            kind = "department" if self.tab == "departments" else "life_event"
            return [c for c in catalog.categories if c.kind == kind and catalog.in_category(c.id)]
        search = self._search()
        if search is None or not self.query.text():
            return []
        return [catalog.service(service_id) for service_id in search.ids(self.query.text())]

    def _search(self):
        """The search index for the session's catalog, once the flows have built it."""
        search = getattr(self._view, "service_search", None)
        catalog = self._session.catalog if self._session is not None else None
        if search is None or catalog is None or search.catalog_version != catalog.version:
            return None
        return search

    def _shows_categories(self) -> bool:
        return self.tab in ("departments", "life_events") and self.category_id is None

    def _tile_text(self, item) -> str:
        language = self._session.language if self._session is not None else "zh_CN"
        if self._shows_categories():
            return item.name(language)
        return item.name(language) + "\n" + where_marker(item)

    def columns(self) -> int:
        care = bool(self._session and self._session.care_mode)
        wide = max(self.grid_host.width(), self.width()) >= 1400
        return (3 if wide else 2) if care else (4 if wide else 3)

    def page_count(self) -> int:
        return max(1, len(self._pages))

    def _paginate(self) -> None:
        """Cut the list into pages: rows of tiles, each row as tall as its longest name needs in
        the current font and column width, as many rows as the grid's height holds. A name too
        long for one tile's height (English, care mode, small screen) gets fewer, wider columns.
        Never a clipped name, never a scroll bar; recomputed only when the list, the language,
        the font or the grid's size changes (not per page turn)."""
        width, height = self.grid_host.width(), self.grid_host.height()
        if width <= 0 or height <= 0:          # not laid out yet: a guess until the resize
            width, height = max(self.width() - 48, 400), max(self.height() // 2, 200)
        metrics = self.tiles[0].label.fontMetrics()
        key = (self.columns(), width, height, metrics.lineSpacing(), self._lines_signature())
        if key == self._paged_key:
            return
        self._paged_key = key
        theme = Theme(care_mode=bool(self._session and self._session.care_mode),
                      px_per_mm=getattr(self.window(), "px_per_mm", 4.0))
        icon = metrics.height() * 2 + 12 if self._shows_categories() else 0
        for columns in range(self.columns(), 0, -1):
            column_width = (width - (columns - 1) * SPACING) / columns
            # The label's width: the column less the tile's margins (12 + 12), the style sheet's
            # button padding and border (screens/theme.py), and the icon.
            text_width = max(40, int(column_width - 24 - 2 * theme.mm(5) - 8 - icon))
            lines = self._line_counts(metrics, text_width)
            heights = [max(theme.touch_px, n * metrics.lineSpacing() + TILE_MARGINS, icon + TILE_MARGINS)
                       for n in lines]
            if max(heights, default=0) <= height:
                break
        self._columns = columns
        max_rows = POOL_SIZE // columns
        pages, start, rows, used = [], 0, [], 0
        for row_start in range(0, len(heights), columns):
            row_height = max(heights[row_start:row_start + columns])
            needed = row_height + (SPACING if rows else 0)
            if rows and (used + needed > height or len(rows) == max_rows):
                pages.append((start, row_start, tuple(rows)))
                start, rows, used, needed = row_start, [], 0, row_height
            rows.append(row_height)
            used += needed
        if rows:
            pages.append((start, len(heights), tuple(rows)))
        self._pages = pages

    def _lines_signature(self) -> tuple:
        language = self._session.language if self._session is not None else ""
        return (language, self._shows_categories(), tuple(item.id for item in self._items))

    def _line_counts(self, metrics, text_width: int) -> list[int]:
        """Text lines per tile; each tile text measured once per language, font and width."""
        key = (self._lines_signature(), metrics.lineSpacing(), text_width)
        if key == self._lines_key:
            return self._lines
        catalog = self._session.catalog if self._session is not None else None
        memo_key = (key[0][0], key[0][1], metrics.lineSpacing(), text_width, catalog.version if catalog else None)
        memo = self._line_memos.get(memo_key)
        if memo is None:
            if len(self._line_memos) >= LINE_MEMOS:
                self._line_memos.pop(next(iter(self._line_memos)))
            memo = self._line_memos[memo_key] = {}
        counts = []
        for item in self._items:
            lines = memo.get(item.id)
            if lines is None:
                lines = 0
                for part in self._tile_text(item).split("\n"):
                    advance = metrics.horizontalAdvance(part)
                    # Word wrapping breaks before a word that does not fit: allow one more line.
                    lines += 1 if advance <= text_width else math.ceil(advance / text_width) + 1
                memo[item.id] = lines
            counts.append(lines)
        self._lines_key, self._lines = key, counts
        return counts

    # --- rendering ---------------------------------------------------------------------------

    def render(self, session, view: KioskView) -> None:
        self._session, self._view = session, view
        self._refresh()

    def _refresh(self) -> None:
        session = self._session
        if session is None:
            return
        catalog = session.catalog
        searching = self.tab == "search"
        # Layout first (which rows are visible decides the grid's height).
        self.tabs_row.setVisible(not searching)
        self.footer.setVisible(not searching)
        for widget in (self.search_back, self.query, self.delete_key, self.clear_key, self.keyboard):
            widget.setVisible(searching)
        self.title.setVisible(not searching)
        self._items = self.items()
        self._paginate()
        self.page = max(0, min(self.page, self.page_count() - 1))
        key = (session.language, session.care_mode, catalog.version if catalog else None, self.tab,
               self.category_id, self.query.text(), self.page, self._paged_key, self._search() is not None)
        if key == self._filled_key:
            return
        self._filled_key = key
        self._texts(session)
        start, end, rows = self._pages[self.page] if self._pages else (0, 0, ())
        self._page_items = self._items[start:end]
        self._place(self._columns, rows)
        self._fill(session)
        wanted = self.grid_host if self._page_items else self.message
        if self.stack.currentWidget() is not wanted:        # (switching re-lays out the stack)
            self.stack.setCurrentWidget(wanted)

    def _texts(self, session) -> None:
        searching = self.tab == "search"
        for tab, button in self.tab_buttons.items():
            button.setText(tab_text(tab))
            button.setChecked(tab == self.tab)
        catalog = session.catalog
        if self.category_id is not None and catalog is not None:
            self.title.setText(catalog.category(self.category_id).name(session.language))
        else:
            self.title.setText({"popular": tr("Choose a service"), "departments": tr("Choose a department"),
                                "life_events": tr("What is happening in your life?"),
                                "search": tr("Search")}[self.tab])
        self.search_back.setText(tr("Back"))
        self.clear_key.setText(tr("Clear"))
        self.home_button.setText(tr("Back") if self.category_id is not None else tr("Home"))
        self.previous_button.setText("◀ " + tr("Previous page"))
        self.next_button.setText(tr("Next page") + " ▶")
        pages = self.page_count()
        self.page_label.setText(f"{self.page + 1}/{pages}" if searching and pages > 1 else "")
        self.page_label.setVisible(searching)
        self.footer_page_label.setText(tr("Page %d of %d") % (self.page + 1, pages) if pages > 1 else "")
        for button, enabled in ((self.previous_button, self.page > 0), (self.search_previous, self.page > 0),
                                (self.next_button, self.page < pages - 1),
                                (self.search_next, self.page < pages - 1)):
            button.setEnabled(enabled)
        self.previous_button.setVisible(not searching and pages > 1)
        self.next_button.setVisible(not searching and pages > 1)
        self.search_previous.setVisible(searching and pages > 1)
        self.search_next.setVisible(searching and pages > 1)
        hint, staff = "", False
        if catalog is None:
            hint = tr("The service list is loading. Please wait a moment.")
        elif searching and self._search() is None:
            hint = tr("Search is getting ready. Meanwhile, browse Popular, Departments or Life events.")
        elif searching and not self.query.text():
            hint = tr("Type the first letter of each pinyin syllable (G L J T finds the elderly allowance), "
                      "whole pinyin, or an English word.")
        elif searching and not self._items:
            hint = tr("Nothing found. Check the letters or type fewer, or go back and browse Departments "
                      "and Life events. Staff can also help you.")
            staff = True
        self.hint.setText(hint)
        self.staff_button.setText(tr("Ask staff for help"))
        self.staff_button.setVisible(staff)

    def _place(self, columns: int, rows: tuple[int, ...]) -> None:
        """Lay the pool out as `rows` rows of `columns` (only when that changes)."""
        if self._placed == (columns, rows):
            return
        for tile in self.tiles:
            self.grid.removeWidget(tile)
        for index in range(min(POOL_SIZE, columns * len(rows))):
            self.grid.addWidget(self.tiles[index], index // columns, index % columns)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        for row in range(POOL_SIZE):
            height = rows[row] if row < len(rows) else 0
            self.grid.setRowMinimumHeight(row, height)
            self.grid.setRowStretch(row, height)
        self._placed = (columns, rows)

    def _fill(self, session) -> None:
        colour = (HIGH_CONTRAST if session.care_mode else NORMAL).accent
        icon_px = self.tiles[0].label.fontMetrics().height() * 2
        categories = self._shows_categories()
        for index, tile in enumerate(self.tiles):
            if index >= len(self._page_items):
                if not tile.isHidden():
                    tile.hide()
                    tile.setObjectName("tile")
                continue
            item = self._page_items[index]
            tile.setText(self._tile_text(item))       # a plain-text label: catalog text shown literally
            if categories:
                tile.setObjectName(f"category-{item.id}")
                tile.set_icon(pixmap(item.icon if item.icon in ICONS else "all", colour, icon_px))
            else:
                tile.setObjectName(f"service-{item.id}")
                tile.set_icon(None)
            if tile.isHidden():
                tile.show()
