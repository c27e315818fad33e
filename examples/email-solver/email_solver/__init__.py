"""E-mail pipeline example: a 5-node LangGraph pipeline over a folder of e-mails, reporting to Tether."""
