"""The main window: the editor in the middle, menus, the message bar and status bar.

The window holds widgets and actions only. What an action *does* (opening files,
loading models, recording authorship) is connected by `app`, the composition root.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ui.editor import DraftEditor
from ui.find_bar import FindBar
from ui.focus import FocusMode
from ui.messages import MessageStack
from ui.outline_panel import OutlinePanel
from ui.status_bar import DraftStatusBar

FILE_FILTER = "Markdown and text (*.md *.markdown *.txt);;All files (*)"


CloseGuard = Callable[[], bool]


class MainWindow(QMainWindow):
    """Draftsmith's window. Its close guard is asked before the window may close."""

    def __init__(self, *, font_size: int = 13, version: str | Callable[[], str] = "") -> None:
        """`version`: the text Help > About names, or a function that reads it when asked
        (reading the installed version costs 50 ms of start-up)."""
        super().__init__()
        self._close_guard: CloseGuard = lambda: True
        self._version = version
        self.about_details = ""  # more lines for Help > About (the model, the data folder)
        self.editor = DraftEditor(self, font_size=font_size)
        self.messages = MessageStack(self)
        self.find_bar = FindBar(self.editor, self)
        self.outline = OutlinePanel(self.editor, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.outline)
        self.outline.hide()
        self._before_distraction_free: list[QWidget] = []
        self._was_full_screen = False
        self.status = DraftStatusBar(self)
        self.setStatusBar(self.status)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.messages)
        self._banners = QVBoxLayout()  # strips shown between the messages and the text
        self._banners.setContentsMargins(0, 0, 0, 0)
        self._banners.setSpacing(0)
        layout.addLayout(self._banners)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)
        self.resize(1100, 780)
        self._build_actions()
        self._build_menus()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions -------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        *,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.setCheckable(checkable)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.new_action = self._action("&New", key.New, tip="Start a new document")
        self.open_action = self._action("&Open…", key.Open, tip="Open a Markdown or text file")
        self.save_action = self._action("&Save", key.Save)
        self.save_as_action = self._action("Save &As…", key.SaveAs)
        self.quit_action = self._action("&Quit", key.Quit)
        self.undo_action = self._action("&Undo", key.Undo)
        self.redo_action = self._action("&Redo", key.Redo)
        self.cut_action = self._action("Cu&t", key.Cut)
        self.copy_action = self._action("&Copy", key.Copy)
        self.paste_action = self._action("&Paste", key.Paste)
        self.select_all_action = self._action("Select &All", key.SelectAll)
        self.preferences_action = self._action(
            "Pre&ferences…", "Ctrl+,", tip="Theme, font, column width and every other setting"
        )
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.outline_action = self.outline.toggleViewAction()
        self.outline_action.setText("&Outline")
        self.outline_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.outline_action.setStatusTip("The document's headings; click one to go there")
        self.addAction(self.outline_action)
        self.focus_actions: dict[FocusMode, QAction] = {}
        focus_group = QActionGroup(self)
        for mode, words, keys in (
            (FocusMode.OFF, "&Off", None),
            (FocusMode.SENTENCE, "&Sentence", "Ctrl+Shift+E"),
            (FocusMode.PARAGRAPH, "&Paragraph", None),
        ):
            action = self._action(words, keys, checkable=True)
            action.setData(mode.value)
            action.setChecked(mode == FocusMode.OFF)
            focus_group.addAction(action)
            action.triggered.connect(lambda _c=False, m=mode: self.set_focus_mode(m))
            self.focus_actions[mode] = action
        self.typewriter_action = self._action(
            "&Typewriter Scrolling",
            "Ctrl+Shift+T",
            tip="Keep the line you are writing in the middle of the window",
            checkable=True,
        )
        self.typewriter_action.toggled.connect(self.editor.set_typewriter)
        self.full_screen_action = self._action("&Full Screen", "F11", checkable=True)
        self.full_screen_action.toggled.connect(self.set_full_screen)
        self.distraction_free_action = self._action(
            "&Distraction-Free",
            "Ctrl+Shift+D",
            tip="Only the text: no menus, status bar or panels (Ctrl+Shift+D again to leave)",
            checkable=True,
        )
        self.distraction_free_action.toggled.connect(self.set_distraction_free)
        self.find_action = self._action("&Find…", key.Find)
        self.find_next_action = self._action("Find &Next", key.FindNext)
        self.find_previous_action = self._action("Find Pre&vious", key.FindPrevious)
        self.replace_action = self._action("&Replace…", "Ctrl+H")
        self.suggest_action = self._action(
            "&Suggest Now", "Ctrl+Space", tip="Ask the model to continue from the cursor"
        )
        self.accept_action = QAction("Accept Suggestion\tTab", self)
        self.accept_word_action = QAction("Accept Next Word\tCtrl+Right", self)
        self.dismiss_action = QAction("Dismiss Suggestion\tEsc", self)
        self.accept_sentence_action = QAction("Accept to End of Sentence\tCtrl+Down", self)
        self.next_alternative_action = QAction("Next Alternative\tAlt+]", self)
        self.previous_alternative_action = QAction("Previous Alternative\tAlt+[", self)
        self.rewrite_action = self._action(
            "&Rewrite…", "Ctrl+K", tip="Rewrite the selection or the paragraph at the cursor"
        )
        self.brainstorm_action = self._action(
            "&Brainstorm…", "Ctrl+Shift+B", tip="Ideas about the selection or the document"
        )
        self.suggestions_toggle = self._action(
            "&Offer Suggestions While Typing",
            checkable=True,
            tip="Show a suggestion after a short pause",
        )
        self.choose_model_action = self._action("Choose &Model File…")
        self.default_model_action = self._action("Use the &Bundled Model")
        self.shortcuts_action = self._action("&Keyboard Shortcuts", key.HelpContents)
        self.about_action = self._action("&About Draftsmith")
        # Editor-owned keys: the editor reacts to Undo/Redo itself; the menu items
        # call the same slots so authorship sees menu and keyboard alike.
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.redo_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        editor = self.editor
        self.undo_action.triggered.connect(editor.undo)
        self.redo_action.triggered.connect(editor.redo)
        self.cut_action.triggered.connect(editor.cut)
        self.copy_action.triggered.connect(editor.copy)
        self.paste_action.triggered.connect(editor.paste)
        self.select_all_action.triggered.connect(editor.selectAll)
        for action in (
            self.cut_action,
            self.copy_action,
            self.paste_action,
            self.select_all_action,
        ):
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.find_action.triggered.connect(lambda: self.find_bar.open(replace=False))
        self.replace_action.triggered.connect(lambda: self.find_bar.open(replace=True))
        self.find_next_action.triggered.connect(self.find_bar.find_next)
        self.find_previous_action.triggered.connect(self.find_bar.find_previous)
        self.quit_action.triggered.connect(self.close)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.about_action.triggered.connect(self.show_about)
        editor.undoAvailable.connect(self.undo_action.setEnabled)
        editor.redoAvailable.connect(self.redo_action.setEnabled)
        editor.copyAvailable.connect(self.cut_action.setEnabled)
        editor.copyAvailable.connect(self.copy_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.cut_action.setEnabled(False)
        self.copy_action.setEnabled(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = QMenu("Open &Recent", self)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.save_action, self.save_as_action])
        self.export_menu = QMenu("&Export", self)
        self.file_menu.addMenu(self.export_menu)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addActions(
            [self.cut_action, self.copy_action, self.paste_action, self.select_all_action]
        )
        self.edit_menu.addSeparator()
        self.edit_menu.addActions(
            [
                self.find_action,
                self.find_next_action,
                self.find_previous_action,
                self.replace_action,
            ]
        )
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.preferences_action)
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addAction(self.outline_action)
        focus_menu = self.view_menu.addMenu("&Focus")
        focus_menu.addActions(list(self.focus_actions.values()))
        self.view_menu.addAction(self.typewriter_action)
        self.view_menu.addSeparator()
        self.view_menu.addActions([self.full_screen_action, self.distraction_free_action])
        self.view_menu.addSeparator()
        self.assistant_menu = bar.addMenu("&Assistant")
        self.assistant_menu.addActions(
            [self.suggest_action, self.accept_action, self.accept_word_action, self.dismiss_action]
        )
        self.assistant_menu.addActions(
            [
                self.accept_sentence_action,
                self.next_alternative_action,
                self.previous_alternative_action,
            ]
        )
        self.assistant_menu.addSeparator()
        self.assistant_menu.addActions([self.rewrite_action, self.brainstorm_action])
        self.assistant_menu.addSeparator()
        self.assistant_menu.addAction(self.suggestions_toggle)
        self.assistant_menu.addSeparator()
        self.assistant_menu.addActions([self.choose_model_action, self.default_model_action])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts_action, self.about_action])

    def set_recent_files(self, paths: list[str], open_path: Callable[[str], object]) -> None:
        self.recent_menu.clear()
        for path in paths:
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, p=path: open_path(p))
        self.recent_menu.setEnabled(bool(paths))

    # --- dialogs ----------------------------------------------------------------
    def ask_open_path(self, folder: str = "") -> str:
        path, _ = QFileDialog.getOpenFileName(self, "Open", folder, FILE_FILTER)
        return path

    def ask_save_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Save As", suggested, FILE_FILTER)
        if path and not Path(path).suffix:
            path += ".md"
        return path

    def ask_export_path(self, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, "Export", suggested)
        return path

    def ask_model_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a Model File", "", "GGUF models (*.gguf);;All files (*)"
        )
        return path

    def ask_save_changes(self, name: str) -> QMessageBox.StandardButton:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(f"Save the changes to “{name}” before closing?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        return QMessageBox.StandardButton(box.exec())

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard Shortcuts", SHORTCUTS_HTML)

    def about_html(self) -> str:
        if callable(self._version):
            self._version = self._version()
        version = f" {html.escape(self._version)}" if self._version else ""
        details = "".join(f"<br>{html.escape(line)}" for line in self.about_details.splitlines())
        return (
            f"<b>Draftsmith{version}</b><br>A private writing room with a local co-writer.<br>"
            f"Everything stays on this computer.{details}"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, "About Draftsmith", self.about_html())

    # --- views --------------------------------------------------------------------
    def set_focus_mode(self, mode: FocusMode) -> None:
        """Dim all but the current sentence or paragraph (View > Focus)."""
        self.editor.set_focus_mode(mode)
        self.focus_actions[mode].setChecked(True)

    def set_full_screen(self, on: bool) -> None:
        """F11: the window takes the whole screen, or goes back."""
        if on and not self.isFullScreen():
            self._was_maximized = self.isMaximized()
            self.showFullScreen()
        elif not on and self.isFullScreen() and not self.distraction_free_action.isChecked():
            if getattr(self, "_was_maximized", False):
                self.showMaximized()
            else:
                self.showNormal()
        if self.full_screen_action.isChecked() != on:
            self.full_screen_action.setChecked(on)

    def set_distraction_free(self, on: bool) -> None:
        """Only the text on the whole screen: menus, status bar, panels and strips hidden
        (their shortcuts still work), and all of them back as they were after."""
        chrome: list[QWidget] = [self.menuBar(), self.status, self.messages, self.find_bar]
        chrome += [dock for dock in self.findChildren(QDockWidget)]
        for index in range(self._banners.count()):
            item = self._banners.itemAt(index)
            strip = item.widget() if item is not None else None
            if strip is not None:
                chrome.append(strip)
        if on:
            self._before_distraction_free = [w for w in chrome if w.isVisible()]
            self._was_full_screen = self.isFullScreen()
            for widget in self._before_distraction_free:
                widget.hide()
            if not self._was_full_screen:
                self._was_maximized = self.isMaximized()
                self.showFullScreen()
        else:
            for widget in self._before_distraction_free:
                widget.show()
            self._before_distraction_free = []
            if not self._was_full_screen and not self.full_screen_action.isChecked():
                if getattr(self, "_was_maximized", False):
                    self.showMaximized()
                else:
                    self.showNormal()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_banner(self, widget: QWidget) -> None:
        """Show `widget` (a legend, say) as a strip above the text."""
        self._banners.addWidget(widget)

    def set_close_guard(self, guard: CloseGuard) -> None:
        """`guard()` is asked before the window closes; False keeps it open."""
        self._close_guard = guard

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._close_guard():
            event.accept()
        else:
            event.ignore()


SHORTCUTS_HTML = """
<table cellspacing=4>
<tr><td><b>Tab</b></td><td>accept the suggestion</td></tr>
<tr><td><b>Ctrl+Right</b></td><td>accept its next word</td></tr>
<tr><td><b>Esc</b></td><td>dismiss it (typing something else does too)</td></tr>
<tr><td><b>Ctrl+Down</b></td><td>accept it to the end of its sentence or line</td></tr>
<tr><td><b>Alt+] / Alt+[</b></td><td>next / previous alternative</td></tr>
<tr><td><b>Ctrl+Space</b></td><td>suggest now</td></tr>
<tr><td><b>Ctrl+K</b></td><td>rewrite the selection (or paragraph)</td></tr>
<tr><td><b>Ctrl+Enter / Esc</b></td><td>keep / refuse every change of a rewrite</td></tr>
<tr><td><b>Alt+Down / Alt+Up</b></td><td>next / previous change of a rewrite</td></tr>
<tr><td><b>Alt+Y / Alt+N</b></td><td>keep / refuse the current change</td></tr>
<tr><td><b>Ctrl+Shift+B</b></td><td>brainstorm panel</td></tr>
<tr><td><b>Ctrl+N / Ctrl+O / Ctrl+S</b></td><td>new, open, save</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>save as</td></tr>
<tr><td><b>Ctrl+Z / Ctrl+Shift+Z</b></td><td>undo, redo</td></tr>
<tr><td><b>Ctrl+F / Ctrl+H / F3</b></td><td>find, replace, find next</td></tr>
<tr><td><b>Ctrl+Shift+A</b></td><td>colour the text by author</td></tr>
<tr><td><b>Ctrl+Shift+I</b></td><td>authorship statistics</td></tr>
<tr><td><b>Ctrl+,</b></td><td>preferences</td></tr>
<tr><td><b>Ctrl+Shift+O</b></td><td>outline of the headings</td></tr>
<tr><td><b>Ctrl+Shift+E</b></td><td>focus on the sentence</td></tr>
<tr><td><b>Ctrl+Shift+T</b></td><td>typewriter scrolling</td></tr>
<tr><td><b>F11 / Ctrl+Shift+D</b></td><td>full screen / distraction-free</td></tr>
</table>
"""
