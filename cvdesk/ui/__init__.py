"""The PySide6 window: the only package that imports Qt."""
from cvdesk.ui.pyside_refcounts import make_singletons_immortal

make_singletons_immortal()
