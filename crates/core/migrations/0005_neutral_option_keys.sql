-- Poll options now have neutral keys: the letters A, B, C … (or the
-- organiser's own emoji), which each chat adapter maps to its reaction form.
-- Polls stored before kept Discord's regional indicators 🇦 … 🇹 (U+1F1E6 …
-- U+1F1F9); they become the letters they stand for.
UPDATE poll_options
SET reaction = char(65 + unicode(reaction) - 127462)
WHERE length(reaction) = 1
  AND unicode(reaction) BETWEEN 127462 AND 127481;
