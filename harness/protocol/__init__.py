"""The ground floor: the vocabulary every layer shares (events, answers, outcomes, the Session
front-ends call). Imports only the standard library and pydantic."""
