using Pacer.Configuration;
using Pacer.Gateway.Hosting;
using Pacer.Redis;
using Pacer.Usage;

try
{
    await using var app = await GatewayApplication.BuildAsync(new GatewayLaunch { Args = args }).ConfigureAwait(false);
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (Exception error) when (error is PacerOptionsException or PriceBookException or RedisStoreException or InvalidOperationException or FormatException)
{
    // Settings and store problems are the operator's to fix: say what is wrong, without a stack trace.
    await Console.Error.WriteLineAsync("Pacer gateway cannot start: " + error.Message).ConfigureAwait(false);
    return 2;
}
