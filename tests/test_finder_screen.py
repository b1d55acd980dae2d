"""The choose-service screen with ~300 services (screens/finder.py): tabs, category tiles, paging
with large buttons, search on the letter keyboard, "nothing found" with a way forward, the
where-to-go page of a service not built here; every view in three languages and care mode at
1280x800 and 1920x1080 passes the screen checks of tests/test_ux_screens.py (20 mm targets, no
clipped text, translated)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kiosk.core.session import State
from screens.widgets import TileButton
from tests.test_ux_screens import COMBOS, check_screen, visible
from tests.ux_helpers import click, make_kiosk, type_keys, wait_state


def open_finder(qtbot, tmp_path, platform_server, size):
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url, size=size)
    window, session = parts.window, parts.controller.session
    qtbot.waitUntil(lambda: parts.controller.view.service_search is not None, timeout=15_000)
    qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
    wait_state(qtbot, session, State.CHOOSE_SERVICE)
    return parts, window, session, window.screens[State.CHOOSE_SERVICE]


def shown_tiles(screen) -> list[str]:
    return [tile.objectName() for tile in screen.tiles if visible(tile)]


def settle(qtbot, screen=None, window=None) -> None:
    """Until the tiles (or, given `window`, the wrapped labels of its current screen) have the
    height their text needs: the resize is answered after the layout's next turns of the event
    loop (a restyle for care mode takes longer on a busy CI)."""
    def fits(label):
        return label.height() + 2 >= label.heightForWidth(label.width())

    def settled():
        if window is not None:
            current = window.stack.currentWidget()
            if not all(fits(label) for label in current.findChildren(QLabel) if label.wordWrap() and visible(label)):
                return False
        return screen is None or all(fits(tile.label) for tile in screen.tiles if visible(tile))
    qtbot.wait(10)
    try:
        qtbot.waitUntil(settled, timeout=2000)
    except Exception:
        pass                 # check_screen reports what is still clipped


@pytest.mark.slow
@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)], ids=["1280x800", "1920x1080"])
def test_every_finder_view_in_every_language_and_care_mode(qtbot, tmp_path, platform_server, size):
    parts, window, session, screen = open_finder(qtbot, tmp_path, platform_server, size)
    try:
        problems: list[str] = []
        for language, care in COMBOS:
            qtbot.mouseClick(window.language_buttons[language], Qt.LeftButton)
            if session.care_mode != care:
                qtbot.mouseClick(window.care_button, Qt.LeftButton)
            views = [("popular", lambda: click(qtbot, window, "tab-popular")),
                     ("departments", lambda: click(qtbot, window, "tab-departments")),
                     ("category", lambda: click(qtbot, window, "category-social_insurance")),
                     ("search", lambda: (click(qtbot, window, "finderHome"), click(qtbot, window, "tab-search"),
                                         type_keys(qtbot, screen.keyboard, "SB"))),
                     ("nothing_found", lambda: type_keys(qtbot, screen.keyboard, "QQQ"))]
            for name, go in views:
                go()
                settle(qtbot, screen)
                assert shown_tiles(screen) or name == "nothing_found", (name, language, care)
                check_screen(window, f"finder-{name}-{size[0]}", language, care, problems)
            click(qtbot, window, "searchBack")
            click(qtbot, window, "tab-popular")
        # The where-to-go page of a service not built here, in every language and care mode.
        click(qtbot, window, "tab-search")
        type_keys(qtbot, screen.keyboard, "PTHZ")
        click(qtbot, window, "service-ee-passport-apply")
        wait_state(qtbot, session, State.SERVICE_INFO)
        for language, care in COMBOS:
            qtbot.mouseClick(window.language_buttons[language], Qt.LeftButton)
            if session.care_mode != care:
                qtbot.mouseClick(window.care_button, Qt.LeftButton)
            settle(qtbot, window=window)
            check_screen(window, f"where_to_go-{size[0]}", language, care, problems)
        assert not problems, "\n".join(problems[:30]) + f"\n({len(problems)} problems)"
    finally:
        parts.close()


@pytest.mark.slow
def test_paging_categories_search_and_where_to_go(qtbot, tmp_path, platform_server):
    parts, window, session, screen = open_finder(qtbot, tmp_path, platform_server, (1920, 1080))
    try:
        settle(qtbot)
        pool = set(window.findChildren(TileButton))
        # Popular first: the services built here, then the most used ones; paged, never scrolled.
        first = shown_tiles(screen)
        assert first[0] == "service-elderly-allowance" and len(first) >= 8
        assert visible(screen.next_button) and not screen.previous_button.isEnabled()
        pages = screen.page_count()
        assert pages >= 300 // 24                         # at most 24 tiles a page
        click(qtbot, window, "pageNext")
        second = shown_tiles(screen)
        assert second and not set(second) & set(first) and screen.previous_button.isEnabled()
        assert "2" in screen.footer_page_label.text() and str(pages) in screen.footer_page_label.text()
        click(qtbot, window, "pagePrevious")
        assert shown_tiles(screen) == first
        # Care mode: larger text, fewer tiles a page.
        qtbot.mouseClick(window.care_button, Qt.LeftButton)
        settle(qtbot, screen)
        assert 0 < len(shown_tiles(screen)) < len(first) and screen.page_count() > pages
        qtbot.mouseClick(window.care_button, Qt.LeftButton)
        settle(qtbot)

        # Departments -> a department's services -> back to the departments.
        click(qtbot, window, "tab-departments")
        assert "category-social_insurance" in shown_tiles(screen) and "category-birth" not in shown_tiles(screen)
        click(qtbot, window, "category-social_insurance")
        assert "service-pension-certification" in shown_tiles(screen)
        assert screen.title.text() == "社保"
        click(qtbot, window, "finderHome")                   # "Back" inside a category
        assert "category-social_insurance" in shown_tiles(screen) and session.state is State.CHOOSE_SERVICE
        click(qtbot, window, "tab-life_events")
        click(qtbot, window, "category-birth")
        assert "service-hh-birth-register" in shown_tiles(screen)

        # Search on the kiosk's keyboard: initials, then the service, then back to the same results.
        click(qtbot, window, "tab-search")
        assert visible(screen.keyboard) and not visible(screen.tabs_row)
        type_keys(qtbot, screen.keyboard, "GLJT")
        assert screen.query.text() == "gljt" and shown_tiles(screen)[0] == "service-elderly-allowance"
        assert pool == set(window.findChildren(TileButton))   # typing reuses the tiles, creates none
        click(qtbot, window, "service-elderly-allowance")
        wait_state(qtbot, session, State.SERVICE_INFO)
        qtbot.mouseClick(window.screens[State.SERVICE_INFO].back_button, Qt.LeftButton)
        wait_state(qtbot, session, State.CHOOSE_SERVICE)
        assert screen.query.text() == "gljt" and shown_tiles(screen)[0] == "service-elderly-allowance"
        click(qtbot, window, "searchDelete")
        assert screen.query.text() == "glj"

        # Nothing found: a clear message and a way forward (browse, or staff).
        click(qtbot, window, "searchClear")
        type_keys(qtbot, screen.keyboard, "QXQXQ")
        assert shown_tiles(screen) == [] and visible(screen.hint) and "没有找到" in screen.hint.text()
        click(qtbot, window, "finderStaff")
        assert session.help_requested
        click(qtbot, window, "searchClear")
        type_keys(qtbot, screen.keyboard, "PTHZ")

        # A service not built here: its page says where to go; no Start; a queue ticket is one tap.
        click(qtbot, window, "service-ee-passport-apply")
        wait_state(qtbot, session, State.SERVICE_INFO)
        info = window.screens[State.SERVICE_INFO]
        assert visible(info.where) and "出入境" in info.where.text()
        assert not visible(info.start_button) and not visible(info.steps)
        click(qtbot, window, "whereTicket")
        wait_state(qtbot, session, State.SERVICE_INFO)
        assert session.service.id == "queue-ticket" and visible(info.start_button) and not visible(info.where)

        # The session ends: the browsing state and the remembered searches go with it.
        parts.controller.cancel()
        wait_state(qtbot, session, State.IDLE)
        assert screen.tab == "popular" and screen.query.text() == ""
        assert all(len(query) == 1 for query in parts.controller.view.service_search._cache)
    finally:
        parts.close()


@pytest.mark.slow
def test_without_a_search_index_the_services_are_still_found_by_browsing(qtbot, tmp_path, platform_server,
                                                                       monkeypatch):
    """The index is built after the catalog is offered; if building it fails, the tabs still work and
    Search says so instead of showing nothing."""
    import kiosk.flows.platform_link as platform_link

    def broken(catalog):
        raise RuntimeError("dictionary missing")
    monkeypatch.setattr(platform_link, "build_service_search_apart", broken)
    parts = make_kiosk(qtbot, tmp_path, platform_server.base_url)
    try:
        window, session = parts.window, parts.controller.session
        qtbot.mouseClick(window.screens[State.IDLE].start_button, Qt.LeftButton)
        wait_state(qtbot, session, State.CHOOSE_SERVICE)
        screen = window.screens[State.CHOOSE_SERVICE]
        assert parts.controller.view.service_search is None
        click(qtbot, window, "tab-departments")
        click(qtbot, window, "category-housing_fund")
        assert "service-hf-withdraw-rent" in shown_tiles(screen)
        click(qtbot, window, "finderHome")
        click(qtbot, window, "tab-search")
        type_keys(qtbot, screen.keyboard, "GJJ")
        assert shown_tiles(screen) == [] and "正在准备" in screen.hint.text()
    finally:
        parts.close()
