"""Customer-communication team example: a LangGraph governor with three specialists, reporting to Tether."""
