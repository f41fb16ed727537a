-- The language a server's announcements and reminders are posted in ("en", "ko"); NULL follows the server's
-- preferred locale on Discord.
ALTER TABLE guild_settings ADD COLUMN language TEXT CHECK (language IN ('en', 'ko'));
