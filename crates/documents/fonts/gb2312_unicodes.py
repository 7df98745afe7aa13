#!/usr/bin/env python3
"""Print the code points kept in WenQuanYiMicroHei-GB2312.ttf as pyftsubset ranges.

Set: every GB2312 character (symbols rows 0xA1-0xA9 and all 6,763 hanzi),
Latin-1, Latin Extended-A, spacing modifiers, general punctuation, currency
symbols, letterlike symbols, arrows, mathematical operators, geometric shapes,
CJK symbols and punctuation, half/full-width forms and U+FFFD. Code points the
source font lacks are dropped by pyftsubset anyway.
"""
cps = set()
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cps.add(ord(bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
for a, b in [(0x20, 0x7E), (0xA0, 0x17F), (0x2C6, 0x2DD), (0x2000, 0x206F),
             (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x22FF),
             (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFF00, 0xFFEF),
             (0xFFFD, 0xFFFD)]:
    cps.update(range(a, b + 1))
cps = sorted(cps)
start = prev = cps[0]
for c in cps[1:] + [None]:
    if c is not None and c == prev + 1:
        prev = c
        continue
    print("U+%04X" % start if start == prev else "U+%04X-%04X" % (start, prev))
    if c is not None:
        start = prev = c
