"""PontoVoz Central: the multi-kiosk server on PostgreSQL and its HR web back office."""
