"""Elder meal service (老年食堂 / 助餐送餐): enrolment, subsidy policy, weekly menus, orders with a cut-off, the
kitchen roster and food-sample log, volunteer delivery rounds with "no answer" alerts, monthly statements."""
