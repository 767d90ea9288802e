package org.backchannel.server;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.backchannel.core.deliveries.Deliveries;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryObserver;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.workspace.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emails a workspace's admins when one of its endpoints is disabled: one email per disabling, sent
 * after the disabling committed, from a thread of its own, so that a slow or failing mail server
 * never holds up a delivery. A failure is logged (never with the password) and counted, not
 * retried: the dashboard and the {@code endpoint.disabled} event still tell.
 */
final class DisabledEndpointMail implements DeliveryObserver, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DisabledEndpointMail.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Config.Smtp smtp;
  private final Deliveries deliveries;
  private final String baseUrl;
  private final Metrics metrics;
  private final Session session;
  // One at a time: disablings are rare, and a burst of them should not open many connections.
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("backchannel-mail").factory());

  DisabledEndpointMail(Config.Smtp smtp, Deliveries deliveries, String baseUrl, Metrics metrics) {
    this.smtp = smtp;
    this.deliveries = deliveries;
    this.baseUrl = baseUrl;
    this.metrics = metrics;
    Properties p = new Properties();
    p.put("mail.smtp.host", smtp.host());
    p.put("mail.smtp.port", Integer.toString(smtp.port()));
    p.put("mail.smtp.auth", Boolean.toString(smtp.username() != null));
    p.put("mail.smtp.starttls.enable", Boolean.toString(smtp.starttls()));
    p.put("mail.smtp.starttls.required", Boolean.toString(smtp.starttls()));
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    String ms = Long.toString(TIMEOUT.toMillis());
    p.put("mail.smtp.connectiontimeout", ms);
    p.put("mail.smtp.timeout", ms);
    p.put("mail.smtp.writetimeout", ms);
    this.session = Session.getInstance(p);
  }

  @Override
  public void attempted(Delivery delivery, Attempt attempt, Outcome outcome) {}

  @Override
  public void endpointDisabled(Endpoint endpoint) {
    try {
      sender.execute(() -> send(endpoint));
    } catch (RejectedExecutionException e) {
      LOG.warn("endpoint {} was disabled while stopping: no email sent", endpoint.id());
    }
  }

  private void send(Endpoint endpoint) {
    try {
      Deliveries.DisabledNotice notice = deliveries.disabledNotice(endpoint);
      if (notice.admins().isEmpty()) {
        LOG.warn(
            "endpoint {} was disabled, and its workspace has no admin to email", endpoint.id());
        return;
      }
      Transport.send(message(notice), smtp.username(), smtp.password());
      metrics.noticed("email", true);
      LOG.info(
          "emailed that endpoint {} was disabled to {} admin(s)",
          endpoint.id(),
          notice.admins().size());
    } catch (MessagingException | RuntimeException e) {
      metrics.noticed("email", false);
      // The exception's own text: the server's answer or the network's, never the password.
      LOG.warn(
          "emailing that endpoint {} was disabled failed ({}:{}): {}",
          endpoint.id(),
          smtp.host(),
          smtp.port(),
          e.toString());
    }
  }

  MimeMessage message(Deliveries.DisabledNotice notice) throws MessagingException {
    Endpoint e = notice.endpoint();
    String app = oneLine(notice.app().name());
    List<InternetAddress> to = new ArrayList<>();
    for (User admin : notice.admins()) {
      try {
        to.add(new InternetAddress(admin.email(), admin.name(), "UTF-8"));
      } catch (java.io.UnsupportedEncodingException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(smtp.from()));
    m.setRecipients(Message.RecipientType.TO, to.toArray(InternetAddress[]::new));
    m.setSubject(
        "Backchannel: endpoint " + e.id() + " of " + app + " is disabled",
        StandardCharsets.UTF_8.name());
    m.setSentDate(Date.from(e.disabledAt()));
    m.setText(text(notice), StandardCharsets.UTF_8.name());
    return m;
  }

  /** The email's text: what, why, since when, and where to enable it again. */
  String text(Deliveries.DisabledNotice notice) {
    Endpoint e = notice.endpoint();
    return """
        An endpoint of the app %s (client id %s) is disabled: Backchannel no longer calls it.

        Endpoint: %d
        URL:      %s
        Reason:   %s
        Since:    %s

        Its deliveries wait until it is enabled again, on the Endpoints page:
        %s/ui/endpoints
        or with: backchannel endpoints enable %d
        """
        .formatted(
            oneLine(notice.app().name()),
            notice.app().clientId(),
            e.id(),
            e.url(),
            e.disabledReason(),
            e.disabledAt(),
            baseUrl,
            e.id());
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

  /** Lets an email being sent finish, for up to {@code grace}. */
  void stop(Duration grace) {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        sender.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }
}
