// A trigger function that changes nothing: what a call costs without the function's own work.
export const passthrough = async (event) => event;
