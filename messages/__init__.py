"""Every user-visible string, as Jinja2 templates per locale (``zh-CN`` default, ``en``)."""
