"""The Textual TUI: a thin front-end over the agent session's event stream and Approver."""
