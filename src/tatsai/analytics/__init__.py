"""Analytics over the canonical tables: the engine layer, telco analytics and the money trail."""
