"""One Router per thing a member does in private chat, and the VIP group's doorman:
start.py (/start, /help, /language, the menu), shop.py (offers and quotes), buying.py
(the open payment request and its method), proof.py (the payment proof), me.py (/me
and the VIP dashboard), vip.py (asking for a group invite), reports/ (the daily
report flow), account.py (/balance, /team), affiliate.py (an affiliate account's
login), group.py (join requests to the VIP group), fallback.py (whatever no router
claimed). handlers/__init__.py puts them in the order they are tried."""
