fn main() -> std::process::ExitCode {
    shuanglian::cli::main()
}
