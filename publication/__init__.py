"""Publishing a month: the warehouse file swapped in atomically, the bulletin, the reports."""
