"""Open Referral HSDS 3.0, in its tabular form: a zip of CSV files and a
``datapackage.json`` describing them (``tables``), written by ``export`` and read, checked
whole before anything is saved, by ``imports``."""
