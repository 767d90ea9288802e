/**
 * Verify and answer the calls Backchannel makes to apps; the server signs with the same classes.
 */
package org.backchannel.sdk;
