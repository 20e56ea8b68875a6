using Pacer.Goodput.Scale;

namespace Pacer.Goodput.Tests.Scale;

public sealed class ScaleBenchmarkTests
{
    [Fact]
    public void BlocksOfUsers_EachUserQueuesItsShareInOneRun()
    {
        var users = ScaleBenchmark.BlocksOfUsers(waiters: 10, users: 5);

        users.ShouldBe([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }

    [Fact]
    public void OneHeavyUser_UserZeroQueuesFirstThenOneRequestPerOtherUser()
    {
        var users = ScaleBenchmark.OneHeavyUser(waiters: 8, users: 4);

        users.ShouldBe([0, 0, 0, 0, 0, 1, 2, 3]);
    }
}
