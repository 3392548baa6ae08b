#pragma once
// The JSON bodies of the Uppy routes, in Companion 6.2.2's shapes (docs/uppy.md), written by
// appending to a string. Pure; every function produces valid JSON for any input bytes.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "api/errors.hpp"
#include "s3client/types.hpp"
#include "sigv4/post_policy.hpp"

namespace onehop::api {

// `{"error":{"code":...,"message":...},"message":...}`: the API's error document plus a top-level
// `message`, which Uppy's Companion client (v4/v5 RequestClient) shows the user for a 4xx.
// (v6 reads only the status.)
std::string uppy_error_body(const api_error& e);

// GET /s3/params: `{"method":"POST","url":...,"fields":{...},"expires":N,"uploadId":...}`.
// Uppy posts `fields` in order, then the file, to `url`. `uploadId` is onehop's (Companion has
// none): a page may complete the upload with it (POST /s3/multipart/{uploadId}/complete).
std::string params_response(std::string_view bucket_url, const sigv4::presigned_post& form,
                            std::chrono::seconds expires, std::string_view upload_id);

// POST /s3/multipart: `{"key":...,"uploadId":...,"bucket":...}`.
std::string create_response(std::string_view key, std::string_view upload_id,
                            std::string_view bucket);

// GET /s3/multipart/{id}/{n}: `{"url":...,"expires":N}`.
std::string sign_part_response(std::string_view url, std::chrono::seconds expires);

// GET /s3/multipart/{id}/batch: `{"presignedUrls":{"<n>":url,...}}`; numbers[i] goes with urls[i].
std::string batch_response(std::span<const unsigned> numbers, std::span<const std::string> urls);

// GET /s3/multipart/{id}: a bare array `[{"PartNumber":n,"ETag":"\"...\"","Size":n},...]`, ETags
// as the storage returned them (quoted).
std::string list_parts_response(std::span<const s3client::part_info> parts);

// POST /s3/multipart/{id}/complete: `{"location":...,"key":...,"bucket":...,"image":{...}}`.
// `image_json` is an Image object (docs/api.md), already JSON; Uppy ignores it, a page may not.
std::string complete_response(std::string_view location, std::string_view key,
                              std::string_view bucket, std::string_view image_json);

}  // namespace onehop::api
