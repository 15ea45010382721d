"""The business's systems (ERP): a port, its domain types, a demo ERP and a generic REST adapter."""
