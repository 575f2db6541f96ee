#define CAF_SUITE storage.codec
#include <caf/test/unit_test.hpp>

#include "core/error.hpp"
#include "storage/codec.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

task sample_task() {
  task t;
  t.id = new_task_id();
  t.server_id = 300;
  t.user_id = 7;
  t.command = "echo 'héllo' && exit 3";
  t.state = status::failed;
  t.exit_code = -1;
  t.error = "connection refused";
  t.timeout_seconds = 600;
  t.store_output = true;
  t.created_at = from_micros(1'764'000'000'123'456);
  t.started_at = t.created_at + std::chrono::milliseconds{5};
  t.finished_at = t.created_at + std::chrono::seconds{2};
  t.stderr_truncated = true;
  return t;
}

} // namespace

CAF_TEST(task_round_trips) {
  auto t = sample_task();
  auto back = decode_task(encode(t), t.id);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->command, t.command);
  CAF_CHECK_EQUAL(back->server_id, 300u);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK(back->exit_code == std::optional<int32_t>{-1});
  CAF_CHECK(back->error == t.error);
  CAF_CHECK(back->created_at == t.created_at);
  CAF_CHECK(back->started_at == t.started_at);
  CAF_CHECK(back->finished_at == t.finished_at);
  CAF_CHECK(back->stderr_truncated);
  CAF_CHECK(!back->stdout_truncated);
}

CAF_TEST(every_truncation_of_a_record_is_rejected) {
  auto value = encode(sample_task());
  for (size_t n = 0; n < value.size(); ++n) {
    auto back = decode_task(value.substr(0, n), task_id{});
    CAF_CHECK(!back);
    if (!back)
      CAF_CHECK(back.error() == errc::corrupt_record);
  }
  CAF_CHECK(!decode_task(value + "x", task_id{}));
}

CAF_TEST(an_unknown_format_version_is_rejected) {
  auto value = encode(sample_task());
  value[0] = 9;
  auto back = decode_task(value, task_id{});
  CAF_REQUIRE(!back);
  CAF_CHECK(message_of(back.error()).find("version 9") != std::string::npos);
}

CAF_TEST(audit_record_round_trips_with_its_hashes) {
  audit_event e;
  e.seq = 12;
  e.ts = now();
  e.action = "task.create";
  e.user_id = 3;
  e.username = "alice";
  e.task = new_task_id();
  e.server_id = 4;
  e.command_preview = "ls";
  e.client_ip = "127.0.0.1";
  e.user_agent = "curl/7.88";
  e.metadata = R"({"timeout":60})";
  e.prev_hash = std::string(32, 'p');
  e.hash = std::string(32, 'h');
  size_t body = 0;
  auto back = decode_audit(encode(e), &body);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(body, encode_audit_body(e).size());
  CAF_CHECK_EQUAL(back->seq, 12u);
  CAF_CHECK_EQUAL(back->action, e.action);
  CAF_CHECK(back->task == e.task);
  CAF_CHECK(back->user_id == e.user_id);
  CAF_CHECK_EQUAL(back->metadata, e.metadata);
  CAF_CHECK_EQUAL(back->prev_hash, e.prev_hash);
  CAF_CHECK_EQUAL(back->hash, e.hash);
}

CAF_TEST(user_server_and_vault_records_round_trip) {
  user u;
  u.id = 2;
  u.username = "bob";
  u.user_role = role::operator_;
  u.disabled = true;
  u.password_hash = "$argon2id$v=19$...";
  auto ub = decode_user(encode(u));
  CAF_REQUIRE(ub);
  CAF_CHECK(ub->user_role == role::operator_);
  CAF_CHECK(ub->disabled);
  server s;
  s.id = 9;
  s.name = "web-1";
  s.host = "127.0.0.1";
  s.port = 2222;
  s.username = "deploy";
  s.vault_key_id = 4;
  s.max_concurrent_tasks = 3;
  s.host_key = "SHA256:abc";
  auto sb = decode_server(encode(s));
  CAF_REQUIRE(sb);
  CAF_CHECK_EQUAL(sb->port, 2222);
  CAF_CHECK(sb->vault_key_id == std::optional<uint64_t>{4});
  CAF_CHECK(sb->max_concurrent_tasks == std::optional<uint32_t>{3});
  vault_entry v;
  v.id = 4;
  v.name = "deploy-key";
  v.sealed_key = std::string("\x01\x02\x00\x03", 4);
  auto vb = decode_vault_entry(encode(v));
  CAF_REQUIRE(vb);
  CAF_CHECK_EQUAL(vb->sealed_key, v.sealed_key);
}
