namespace Pacer.Redis.Tests;

public sealed class SharedSettingsTests
{
    [Fact]
    public void Decode_WhatEncodeWrote_GivesTheSameChange()
    {
        var change = new SharedSettings("abc123", new Dictionary<string, double> { ["maxRequestsPerMinute"] = 120, ["backoffFactor"] = 1.5 });

        var read = SharedSettings.Decode(change.Encode()).ShouldNotBeNull();

        read.Origin.ShouldBe("abc123");
        read.Values.ShouldNotBeNull().ShouldBe(change.Values!, ignoreOrder: true);
    }

    [Fact]
    public void Decode_AReset_HasNoValues()
    {
        var read = SharedSettings.Decode(new SharedSettings("abc123", null).Encode()).ShouldNotBeNull();

        read.Values.ShouldBeNull();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("no-separator")]
    [InlineData("origin|maxRequestsPerMinute")]
    [InlineData("origin|maxRequestsPerMinute=many")]
    public void Decode_NotAChange_IsNull(string? line) => SharedSettings.Decode(line).ShouldBeNull();
}
