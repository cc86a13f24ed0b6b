DELETE FROM obligations WHERE kind = 'coverage_report';
ALTER TABLE obligations DROP CONSTRAINT obligations_kind_check;
ALTER TABLE obligations ADD CONSTRAINT obligations_kind_check CHECK (kind IN ('two_way_reporting', 'quarterly_filing', 'semiannual_feedback', 'qq_join', 'data_verification', 'vanguard_evaluation', 'vanguard_county_report', 'floating_feedback', 'participation_letters', 'statistics_cutoff', 'service_request'));
