# English dates as the application has always shown them ("Jan 15, 2027", "Jan 15, 2027 10:00"), where Django's
# own would write "Jan. 15, 2027" and "Jan. 15, 2027, 10 a.m.". Other languages keep Django's formats (Swedish:
# "15 januari 2027"): templates name the format ("DATE_FORMAT"), never its letters.
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y H:i"
