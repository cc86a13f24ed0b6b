-- The coverage campaign's 15-day report (issue 16 item 6) is an obligation kind of its own.
ALTER TABLE obligations DROP CONSTRAINT obligations_kind_check;
ALTER TABLE obligations ADD CONSTRAINT obligations_kind_check
    CHECK (kind IN ('two_way_reporting', 'quarterly_filing', 'semiannual_feedback', 'qq_join', 'data_verification', 'vanguard_evaluation', 'vanguard_county_report', 'floating_feedback', 'participation_letters', 'statistics_cutoff', 'service_request', 'coverage_report'));
