using Microsoft.Extensions.Configuration;
using Pacer.Gateway.Alerts;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Tests.Alerts;

public sealed class AlertSettingsTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Bind_NothingSet_DefaultThresholdsAndNoWebhook()
    {
        var alerts = GatewayConfiguration.Bind(Config(), out var errors).Alerts;

        errors.ShouldBeEmpty();
        alerts.ShouldBe(new AlertOptions());
        alerts.WebhookUrl.ShouldBeNull();
        alerts.Window.ShouldBe(TimeSpan.FromMinutes(1));
        alerts.UpstreamRateLimited.ShouldBe(5);
        alerts.QueueWait.ShouldBe(TimeSpan.FromSeconds(30));
        alerts.Unreachable.ShouldBe(1);
        alerts.BudgetWarningPercent.ShouldBe(80);
    }

    [Fact]
    public void Bind_EveryAlertSetting_Read()
    {
        var alerts = GatewayConfiguration.Bind(Config(
            ("PACER_ALERT_WEBHOOK_URL", "https://hooks.example.test/pacer?token=abc"),
            ("PACER_ALERT_WINDOW", "120000"),
            ("PACER_ALERT_UPSTREAM_429S", "10"),
            ("PACER_ALERT_QUEUE_WAIT", "5000"),
            ("PACER_ALERT_UNREACHABLE", "3"),
            ("PACER_ALERT_BUDGET_PERCENT", "90")), out var errors).Alerts;

        errors.ShouldBeEmpty();
        alerts.WebhookUrl.ShouldBe(new Uri("https://hooks.example.test/pacer?token=abc"));
        alerts.Window.ShouldBe(TimeSpan.FromMinutes(2));
        alerts.UpstreamRateLimited.ShouldBe(10);
        alerts.QueueWait.ShouldBe(TimeSpan.FromSeconds(5));
        alerts.Unreachable.ShouldBe(3);
        alerts.BudgetWarningPercent.ShouldBe(90);
    }

    [Fact]
    public void Bind_BadAlertSettings_EveryOneNamedWithItsRangeAndTheUrlNotEchoed()
    {
        GatewayConfiguration.Bind(Config(
            ("PACER_ALERT_WEBHOOK_URL", "ftp://secret-token@host"),
            ("PACER_ALERT_WINDOW", "5"),
            ("PACER_ALERT_UPSTREAM_429S", "many"),
            ("PACER_ALERT_QUEUE_WAIT", "0"),
            ("PACER_ALERT_UNREACHABLE", "0"),
            ("PACER_ALERT_BUDGET_PERCENT", "100")), out var errors);

        errors.Select(e => e.ToString()).ShouldBe(
        [
            "PACER_ALERT_WEBHOOK_URL: '(23 characters)' must be an absolute http:// or https:// address",
            "PACER_ALERT_WINDOW: '5' is out of range; allowed 10000-3600000 ms",
            "PACER_ALERT_UPSTREAM_429S: 'many' is not a whole number; allowed 1-1000000",
            "PACER_ALERT_QUEUE_WAIT: '0' is out of range; allowed 1-3600000 ms",
            "PACER_ALERT_UNREACHABLE: '0' is out of range; allowed 1-1000000",
            "PACER_ALERT_BUDGET_PERCENT: '100' is out of range; allowed 1-99 %",
        ]);
    }
}
