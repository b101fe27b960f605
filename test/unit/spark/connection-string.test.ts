import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConnectionStringError,
  DEFAULT_MAX_MESSAGE_SIZE,
  parseConnectionString,
  redact,
} from '../../../src/spark/connection-string.js';

describe('parseConnectionString', () => {
  it('defaults the port, TLS off, no parameters', () => {
    assert.deepEqual(parseConnectionString('sc://localhost'), {
      host: 'localhost',
      port: 15002,
      useSsl: false,
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
      headers: {},
    });
    assert.equal(parseConnectionString('sc://spark.example.com/').host, 'spark.example.com');
  });

  it('reads every named parameter, URL-decoding values', () => {
    const endpoint = parseConnectionString(
      'sc://10.0.0.7:443/;use_ssl=true;token=abc%3Bdef;user_id=alice;user_name=Alice%20A;' +
        'user_agent=dash;session_id=00112233-4455-6677-8899-aabbccddeeff;grpc_max_message_size=1048576',
    );
    assert.deepEqual(endpoint, {
      host: '10.0.0.7',
      port: 443,
      useSsl: true,
      token: 'abc;def',
      userId: 'alice',
      userName: 'Alice A',
      userAgent: 'dash',
      sessionId: '00112233-4455-6677-8899-aabbccddeeff',
      maxMessageSize: 1048576,
      headers: {},
    });
  });

  it('turns on TLS for a token unless use_ssl=false says otherwise', () => {
    assert.equal(parseConnectionString('sc://h/;token=t').useSsl, true);
    assert.equal(parseConnectionString('sc://h/;token=t;use_ssl=false').useSsl, false);
  });

  it('accepts bracketed IPv6 hosts', () => {
    const endpoint = parseConnectionString('sc://[::1]:15003');
    assert.equal(endpoint.host, '[::1]');
    assert.equal(endpoint.port, 15003);
  });

  it('passes parameters the spec does not name as gRPC metadata', () => {
    assert.deepEqual(parseConnectionString('sc://h/;x-tenant=acme;x-trace=on').headers, {
      'x-tenant': 'acme',
      'x-trace': 'on',
    });
  });

  const malformed: [string, RegExp][] = [
    ['http://localhost:15002', /must start with 'sc:\/\/'/],
    ['localhost:15002', /must start with 'sc:\/\/'/],
    ['sc://', /host is missing/],
    ['sc://:15002', /not a valid host name/],
    ['sc://host:abc', /port 'abc' is not a number/],
    ['sc://host:0', /port '0'/],
    ['sc://host:70000', /port '70000'/],
    ['sc://host:15002/prefix/;token=x', /must not have a path/],
    ['sc://host/;use_ssl=yes', /use_ssl must be 'true' or 'false'/],
    ['sc://host/;session_id=abc', /session_id 'abc' is not a UUID/],
    ['sc://host/;grpc_max_message_size=-1', /grpc_max_message_size '-1'/],
    ['sc://host/;token', /must have the form key=value/],
    ['sc://host/;=x', /must have the form key=value/],
    ['sc://host/;user_id=a;user_id=b', /'user_id' is given twice/],
    ['sc://host/;user_id=%E0%A4%A', /not valid URL encoding/],
    ['sc://host/;X-Upper=1', /not a valid gRPC metadata name/],
    ['sc://ho st', /not a valid host name/],
  ];
  for (const [input, message] of malformed) {
    it(`rejects ${input}`, () => {
      assert.throws(
        () => parseConnectionString(input),
        (err: unknown) => err instanceof ConnectionStringError && message.test(err.message),
      );
    });
  }

  it('never repeats the token in an error message', () => {
    assert.throws(
      () => parseConnectionString('sc://host:bad/;token=s3cret'),
      (err: unknown) =>
        err instanceof Error && !err.message.includes('s3cret') && err.message.includes('***'),
    );
  });
});

describe('redact', () => {
  it('hides token values and keeps the rest', () => {
    assert.equal(redact('sc://h/;token=abc;user_id=u'), 'sc://h/;token=***;user_id=u');
  });
});
