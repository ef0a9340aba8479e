"""Planning: from an epic, the policies and what the bot already wrote, the complete list of
writes it intends. Pure: no I/O, no clock but the one given."""
