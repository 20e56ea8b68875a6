namespace Pacer.Redis;

/// <summary>The Lua scripts, each with the shared prelude (clock, bucket arithmetic) in front. Sent by SHA once loaded.</summary>
internal static class RedisScripts
{
    public static readonly string Admit = Load("admit");
    public static readonly string Update = Load("update");
    public static readonly string Renew = Load("renew");
    public static readonly string Forget = Load("forget");
    public static readonly string Snapshot = Load("snapshot");

    private static string Load(string name) => Read("common") + "\n" + Read(name);

    private static string Read(string name)
    {
        using var stream = typeof(RedisScripts).Assembly.GetManifestResourceStream($"Pacer.Redis.{name}.lua")
            ?? throw new InvalidOperationException($"The script {name}.lua is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
