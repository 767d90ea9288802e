package org.backchannel.core.threads;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Who a message is from, as the app describes them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Author(String name, String avatar, String email) {}
