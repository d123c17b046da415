"""The evaluation archive (台账): indicator frameworks, evidence filed by indicator, the
归档文件目录 and the 指标完成情况表, made from what reporting already holds.

Frameworks are imported as data (``framework_import``); responsible units are matched through
one function (``units.resolve_unit_names``). Each stored photo or document becomes one 件 per
indicator it proves (``tags`` says which, ``items`` builds the rows); the ZIP, the catalogues
and the completion table are writers over those rows (``bundle``, ``catalog``, ``completion``).
Nothing here imports a chat library: ``bot.chat.archive`` and ``bot.archive.cli`` call in.
"""
