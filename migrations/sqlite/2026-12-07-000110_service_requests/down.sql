DROP TABLE service_request_events;
DROP TABLE service_requests;
