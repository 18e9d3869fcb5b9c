/** The baseline: a trivial main, started with the same JVM and flags as keysource. */
public final class Hello {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("spawn")) {
            // the second baseline: spawn `sh -c 'echo k'` and print what it printed
            Process p = new ProcessBuilder("/bin/sh", "-c", "echo k").start();
            p.getOutputStream().close();
            System.out.print(new String(p.getInputStream().readAllBytes()));
            p.waitFor();
            return;
        }
        System.out.println("k");
    }
}
