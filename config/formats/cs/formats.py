"""Czech formats for dates, times and numbers (Django's own, with 24-hour times and seconds where shown)."""

DATE_FORMAT = "j. n. Y"
SHORT_DATE_FORMAT = "j. n. Y"
TIME_FORMAT = "H:i"
# Timestamps with seconds, for records (audit events, scans, sightings).
DATETIME_FORMAT = "j. n. Y H:i:s"
SHORT_DATETIME_FORMAT = "j. n. Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j. F"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
