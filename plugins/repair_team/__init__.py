"""Repair-team bookings (便民维修服务队): residents ask for help with a dripping tap or a tripped switch; the
community's volunteer repair team comes to the home. Work orders with a status history, dispatch by skill and
licence, materials at cost (labour is always free), sign-off, follow-up rating, and hours for the ledger."""
