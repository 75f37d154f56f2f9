#pragma once
// POST /v1/services/NAME/artifacts: the code of a deploy from another machine (`baton deploy NAME
// --from DIR|ARCHIVE --remote URL`). The body (an archive libarchive reads; the CLI sends a
// directory as a tar) is spooled to HOME/apps/NAME/uploads/ID, mode 0600, and the answer is
// {"artifact": ID, "bytes": N}; a deploy with {"artifact": ID} then takes it as a local --from
// would take the archive, and removes the upload.
#include "app/control_api.hpp"

namespace baton {
bool is_artifact_upload(const control::Request& head);
awaitable<void> handle_artifact_upload(const control::Request& head, control::BodyReader& body, control::Reply& reply,
                                       ApiContext& context);
}  // namespace baton
