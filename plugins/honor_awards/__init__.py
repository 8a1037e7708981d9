"""Honour awards (最美家庭、文明家庭、道德模范、最美楼院、星级志愿者): campaigns, nominations, home visits and committee
scores, an optional public vote, a public notice with objections, awards with certificates, an honour wall, and
star volunteers fed by the ledger."""
