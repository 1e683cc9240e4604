"""MAA chat front end: the Telegram bot and its conversation flow."""
